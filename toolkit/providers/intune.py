"""Intune / Entra exports (--intune): the tenant, and what reaches the devices being imaged (the
effective ESP, the Autopilot profiles, device preparation)."""

from __future__ import annotations

from toolkit.facts.intune import KIND_NAMES, KIND_OF, IntuneFacts
from toolkit.providers.base import NOT_SUPPLIED, Inputs, Progress, Provider, Skip, Subjects
from toolkit.records import record

NEEDS_LABEL = {**KIND_NAMES, "restore": "Windows restore setting (windowsRestoreDeviceEnrollmentConfiguration)"}


@record
class TenantInputs:
    tenant: IntuneFacts
    esp: object | None = None                # EffectiveEsp: derived once, judged by the ESP rules
    profiles: object | None = None           # ProfileChoice: the profiles that reach the devices
    device_preparation: str | None = None    # the device preparation policy the target devices get


class IntuneExports(Provider):
    name, rule_kinds, requires = "intune", ("autopilot", "esp", "tenant"), tuple(dict.fromkeys(KIND_OF.values()))
    order, flag, help = 20, "--intune", "Intune/Entra export: a JSON file or a folder (repeatable)."

    def read(self, options, inputs: Inputs, progress: Progress) -> TenantInputs | None:
        if not options.given(self.name):
            return None
        from toolkit.facts.targets import device_preparation, effective_profiles, resolve
        from toolkit.lifetime import acyclic
        from toolkit.rules.esp import effective_esp
        from toolkit.sources.intune import read_exports

        with acyclic():  # parsed JSON is trees: the collector would walk it and free nothing
            tenant = read_exports(list(options.given(self.name)))
        targets = resolve(options.target_groups, tenant) if options.target_groups else None
        return TenantInputs(tenant, effective_esp(tenant.of("esp"), targets, tenant.of("group")),
                            effective_profiles(tenant.of("profile"), targets),
                            device_preparation(tenant.of("dpp"), targets))

    def subjects(self, rule, facts: TenantInputs | None) -> Subjects | Skip:
        """Profiles, the effective ESP, or the tenant as a whole; plus, fail-closed, every export file that
        could not be used whole and might have held this rule's evidence."""
        from toolkit.rules.base import NOT_APPLICABLE, NOT_EVALUATED, Verdict

        if facts is None:
            return Skip(NOT_SUPPLIED, "input not supplied: no Intune/Entra export (--intune)")
        tenant, needs = facts.tenant, rule.needs
        subjects: Subjects
        if needs == "profile":
            choice = facts.profiles
            judged = [p for p, _ in choice.judged] if choice else tenant.of("profile")
            subjects = [(p.subject, p) for p in judged]
            subjects += [(p.subject, Verdict(NOT_APPLICABLE, f"profile '{p.data.get('displayName')}' is {why}"))
                         for p, why in (choice.skipped if choice else ())]
        elif needs == "esp" and facts.device_preparation:
            subjects = [(facts.device_preparation, Verdict(
                NOT_APPLICABLE, f"the devices are provisioned by Autopilot device preparation "
                                f"({facts.device_preparation}), which shows no Enrollment Status Page"))]
        elif needs == "esp":
            subjects = [(facts.esp.subject, facts.esp)] if facts.esp else []
        elif not needs or tenant.of(needs) or rule.judges_absence:
            subjects = [("tenant", tenant)]
        else:
            subjects = []
        subjects += [(path, Verdict(NOT_EVALUATED, why))
                     for path, why, kinds in tenant.incomplete if not needs or needs in kinds]
        return subjects or Skip(NOT_SUPPLIED, f"input not supplied: no {NEEDS_LABEL.get(needs, needs)} in the exports")

    def supplied(self, facts: TenantInputs) -> set[str]:
        return facts.tenant.kinds()

    def manifest_inputs(self, facts: TenantInputs, hashes: dict[str, str]) -> list[dict]:
        tenant = facts.tenant
        entries = [{"path": path, "kind": "intune-export", "sha256": sha} for path, sha in tenant.files]
        entries += [{"path": path, "kind": "intune-assignments", "sha256": sha} for path, sha in tenant.sidecars]
        read = {e["path"]: e for e in entries}
        for path, why, _ in tenant.incomplete:
            if path in read:  # read, but not the whole (one page of a collection)
                read[path]["error"] = why
            else:
                entries.append({"path": path, "kind": "intune-export", "sha256": None, "error": why})
        return entries

    def subject_refs(self, facts: TenantInputs, hashes: dict[str, str]) -> dict:
        from toolkit.pipeline.waivers import SubjectRef

        return {o.subject: SubjectRef(files=(o.file,), object_id=o.data.get("id"))
                for objects in facts.tenant.objects.values() for o in objects}


PROVIDER = IntuneExports()
