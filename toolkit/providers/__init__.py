"""Input kinds as providers (docs/architecture.md): each kind reads its inputs into facts, gives the
rules of its kinds their subjects (or a typed Skip), says which `--require` names it supplied and
what it adds to the manifest's `inputs` and waiver scopes. `registry.PROVIDERS` lists them."""
