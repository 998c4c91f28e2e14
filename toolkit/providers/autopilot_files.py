"""Offline AutopilotConfigurationFile.json: given with --autopilot-file, or found inside an image."""

from __future__ import annotations

from toolkit.facts import AUTOPILOT_FOLDER
from toolkit.facts.autopilot_file import AutopilotFile
from toolkit.providers.base import NOT_SUPPLIED, Inputs, Progress, Provider, Skip, Subjects
from toolkit.records import record


@record
class AutopilotFiles:
    files: list[AutopilotFile]
    unusable: list[tuple[str, str]]  # in an image but unreadable, a link, ambiguous: (where, why)


class AutopilotFilesProvider(Provider):
    name, rule_kinds, requires = "autopilot-file", ("autopilot-file",), ("autopilot",)
    order, flag, metavar = 30, "--autopilot-file", "FILE"
    help = "An offline AutopilotConfigurationFile.json (repeatable)."

    def read(self, options, inputs: Inputs, progress: Progress) -> AutopilotFiles | None:
        files = []
        if options.given(self.name):
            from toolkit.sources.autopilot_file import read_autopilot_file

            files = [read_autopilot_file(p) for p in options.given(self.name)]
        # a file found inside an image is judged like one given with --autopilot-file (read after images)
        indexes = [i for _, i in inputs.of("image").indexes() if i.deep] if inputs.of("image") else []
        files += [f for i in indexes for f in i.deep.autopilot_files]
        unusable = [(i.deep.where(key), why) for i in indexes for key, why in i.deep.problems.items()
                    if key.lower().startswith(AUTOPILOT_FOLDER.lower())]
        return AutopilotFiles(files, unusable) if files or unusable else None

    def subjects(self, rule, facts: AutopilotFiles | None) -> Subjects | Skip:
        if facts is None:
            return Skip(NOT_SUPPLIED, "input not supplied: no offline Autopilot file")
        from toolkit.rules.base import NOT_EVALUATED, Verdict

        return [(f.path, f) for f in facts.files] + \
            [(where, Verdict(NOT_EVALUATED, f"{where}: {why}")) for where, why in facts.unusable]

    def supplied(self, facts: AutopilotFiles) -> set[str]:
        return set(self.requires) if facts.files else set()

    def manifest_inputs(self, facts: AutopilotFiles, hashes: dict[str, str]) -> list[dict]:
        return [{"path": f.path, "kind": "autopilot-file (in image)" if f.image_path else "autopilot-file",
                 "sha256": f.sha256} for f in facts.files]

    def subject_refs(self, facts: AutopilotFiles, hashes: dict[str, str]) -> dict:
        from toolkit.pipeline.waivers import SubjectRef

        return {f.path: SubjectRef(files=(f.path,)) for f in facts.files}


PROVIDER = AutopilotFilesProvider()
