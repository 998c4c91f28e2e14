"""Images: WIM / ESD / split WIM files, raw WIM XML and offline Windows directories (`SOURCE...`)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.facts import ImageFacts, ImageSource
from toolkit.providers.base import NOT_SUPPLIED, SWITCHED_OFF, Inputs, Progress, Provider, Skip, Subjects
from toolkit.sources.images import read_images


@dataclass(frozen=True)
class ImageInputs:
    sources: list[ImageSource]
    deep: bool  # the files inside were read (SVC rules judge); --no-deep skips those rules

    def indexes(self) -> list[tuple[str, ImageFacts]]:
        return [(f"{s.path}#{i.index}", i) for s in self.sources for i in s.images]

    def files_to_hash(self, whole: bool) -> list[str]:
        """XML documents are small and always hashed; image files (every part) only when `whole`."""
        return [p for s in self.sources if s.kind != "directory" and (whole or s.header is None)
                for p in [s.path] + [path for _, path, _ in s.parts if path != s.path]]


class Images(Provider):
    name, rule_kinds, requires, order = "image", ("image",), ("image",), 10

    def read(self, options, inputs: Inputs, progress: Progress) -> ImageInputs | None:
        if not options.given(self.name):
            return None
        return ImageInputs(read_images(options.given(self.name), options.index, options.deep, progress), options.deep)

    def subjects(self, rule, facts: ImageInputs | None) -> Subjects | Skip:
        if facts is None or not facts.indexes():
            return Skip(NOT_SUPPLIED, "input not supplied: no image supplied")
        if rule.needs == "deep" and not facts.deep:
            return Skip(SWITCHED_OFF, "deep inspection off (--no-deep)")
        return facts.indexes()

    def manifest_inputs(self, facts: ImageInputs, hashes: dict[str, str]) -> list[dict]:
        entries = []
        for source in facts.sources:
            guid = source.header.guid if source.header else None
            entries.append({"path": source.path, "kind": source.kind, "size": source.size, "guid": guid,
                            "xml_sha256": source.xml_sha256 or None, "sha256": hashes.get(source.path),
                            **({"part": source.header.part_number} if source.parts else {})})
            # the other parts of a split set hold the named part's file data: read too, so listed
            entries += [{"path": path, "kind": source.kind, "size": size, "guid": guid, "part": number,
                         "sha256": hashes.get(path)} for number, path, size in source.parts if path != source.path]
        return entries

    def subject_refs(self, facts: ImageInputs, hashes: dict[str, str]) -> dict:
        from toolkit.facts.servicing import effective_build
        from toolkit.pipeline.waivers import SubjectRef

        return {f"{s.path}#{i.index}": SubjectRef(image_sha256=hashes.get(s.path),
                                                  image_guid=s.header.guid if s.header else None,
                                                  build=effective_build(i))
                for s in facts.sources for i in s.images}


PROVIDER = Images()
