"""Images: WIM / ESD / split WIM files, installation ISOs, raw WIM XML and offline Windows directories
(`SOURCE...`)."""

from __future__ import annotations

from toolkit.facts import ImageFacts, ImageSource
from toolkit.providers.base import NOT_SUPPLIED, SWITCHED_OFF, Inputs, Progress, Provider, Skip, Subjects
from toolkit.records import record
from toolkit.sources.images import read_images


@record
class ImageInputs:
    sources: list[ImageSource]
    deep: bool  # the files inside were read (SVC rules judge); --no-deep skips those rules

    def indexes(self) -> list[tuple[str, ImageFacts]]:
        return [(f"{s.path}#{i.index}", i) for s in self.sources for i in s.images]

    def files_to_hash(self, whole: bool) -> list[str]:
        """XML documents are small and always hashed; image files (every part, an image's ISO, a virtual
        disk) only when `whole`."""
        files = [p for s in self.sources if s.kind != "directory" and (whole or s.kind == "xml")
                 for p in [s.container or s.path] + [path for _, path, _ in s.parts if path != s.path]]
        return list(dict.fromkeys(files))


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
            if source.container and not any(e["path"] == source.container for e in entries):
                # the file that ships: the image entries inside it name it as their container
                entries.append({"path": source.container, "kind": "iso", "size": source.container_size,
                                "sha256": hashes.get(source.container)})
            guid = source.header.guid if source.header else None
            entries.append({"path": source.path, "kind": source.kind, "size": source.size, "guid": guid,
                            "xml_sha256": source.xml_sha256 or None,
                            "sha256": None if source.container else hashes.get(source.path),
                            **({"part": source.header.part_number} if source.parts else {}),
                            **({"container": source.container} if source.container else {})})
            # the other parts of a split set hold the named part's file data: read too, so listed
            entries += [{"path": path, "kind": source.kind, "size": size, "guid": guid, "part": number,
                         "sha256": hashes.get(path)} for number, path, size in source.parts if path != source.path]
        return entries

    def subject_refs(self, facts: ImageInputs, hashes: dict[str, str]) -> dict:
        from toolkit.facts.servicing import effective_build
        from toolkit.pipeline.waivers import SubjectRef

        return {f"{s.path}#{i.index}": SubjectRef(image_sha256=hashes.get(s.container or s.path),
                                                  image_guid=s.header.guid if s.header else None,
                                                  build=effective_build(i))
                for s in facts.sources for i in s.images}


PROVIDER = Images()
