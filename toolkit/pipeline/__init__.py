"""One function per command (check, inspect) and what they share: the engine, waivers, the manifest."""
