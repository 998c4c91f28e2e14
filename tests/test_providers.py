"""Input kinds as providers, in-process (issue 15): what each adds to the manifest's inputs, what
waiver scopes match on, which files it hashes, and which --require names it supplies."""

from __future__ import annotations

from toolkit.facts import ImageFacts, ImageSource, ResourceHeader, WimHeader, WindowsVersion
from toolkit.facts.intune import ExportObject, IntuneFacts
from toolkit.pipeline.waivers import SubjectRef
from toolkit.providers.autopilot_files import PROVIDER as AUTOPILOT_FILES
from toolkit.providers.autopilot_files import AutopilotFiles
from toolkit.providers.images import PROVIDER as IMAGES
from toolkit.providers.images import ImageInputs
from toolkit.providers.intune import PROVIDER as INTUNE
from toolkit.providers.intune import TenantInputs
from toolkit.sources.autopilot_file import autopilot_file_from_bytes

EMPTY = ResourceHeader(0, 0, 0, 0)
GUID = "af958a8a01e7f426cabd9c8007e3c27d"


def split_set() -> ImageSource:
    header = WimHeader(0x10D00, 0, 32768, GUID, 1, 2, 1, 0, EMPTY, EMPTY, EMPTY, EMPTY)
    image = ImageFacts("/m/a.swm", 1, "/WIM/IMAGE[@INDEX='1']", version=WindowsVersion(10, 0, 26100, 9168))
    return ImageSource("/m/a.swm", "swm", 100, "x" * 64, header, False, (image,),
                       parts=((1, "/m/a.swm", 100), (2, "/m/a2.swm", 50)))


def xml_source() -> ImageSource:
    image = ImageFacts("/m/i.xml", 1, "/WIM/IMAGE[@INDEX='1']", version=WindowsVersion(10, 0, 26100, None))
    return ImageSource("/m/i.xml", "xml", 10, "y" * 64, None, False, (image,))


def test_images_list_every_part_hash_xml_always_and_images_when_asked():
    facts = ImageInputs([split_set(), xml_source()], deep=True)
    hashes = {"/m/a.swm": "1" * 64, "/m/a2.swm": "2" * 64}
    assert IMAGES.manifest_inputs(facts, hashes) == [
        {"path": "/m/a.swm", "kind": "swm", "size": 100, "guid": GUID, "xml_sha256": "x" * 64, "sha256": "1" * 64,
         "part": 1},
        {"path": "/m/a2.swm", "kind": "swm", "size": 50, "guid": GUID, "part": 2, "sha256": "2" * 64},
        {"path": "/m/i.xml", "kind": "xml", "size": 10, "guid": None, "xml_sha256": "y" * 64, "sha256": None}]
    assert facts.files_to_hash(whole=False) == ["/m/i.xml"]
    assert facts.files_to_hash(whole=True) == ["/m/a.swm", "/m/a2.swm", "/m/i.xml"]
    refs = IMAGES.subject_refs(facts, hashes)
    assert refs["/m/a.swm#1"] == SubjectRef(image_sha256="1" * 64, image_guid=GUID, build="26100.9168")
    assert refs["/m/i.xml#1"] == SubjectRef(image_sha256=None, image_guid=None, build=None)
    assert IMAGES.supplied(facts) == {"image"}


def test_exports_list_files_sidecars_and_what_could_not_be_read():
    tenant = IntuneFacts(files=[("/e/p.json", "a" * 64), ("/e/page.json", "b" * 64)],
                         sidecars=[("/e/Assignments/p.json", "c" * 64)],
                         incomplete=[("/e/page.json", "one page", ("ca",)), ("/e/bad.json", "unreadable", ("esp",))])
    profile = ExportObject("profile", "/e/p.json", "", {"id": "P1", "displayName": "P"})
    tenant.objects["profile"] = [profile]
    facts = TenantInputs(tenant)
    assert INTUNE.manifest_inputs(facts, {}) == [
        {"path": "/e/p.json", "kind": "intune-export", "sha256": "a" * 64},
        {"path": "/e/page.json", "kind": "intune-export", "sha256": "b" * 64, "error": "one page"},
        {"path": "/e/Assignments/p.json", "kind": "intune-assignments", "sha256": "c" * 64},
        {"path": "/e/bad.json", "kind": "intune-export", "sha256": None, "error": "unreadable"}]
    assert INTUNE.subject_refs(facts, {}) == {profile.subject: SubjectRef(files=("/e/p.json",), object_id="P1")}
    assert INTUNE.supplied(facts) == {"autopilot"}


def test_autopilot_files_given_and_found_in_images():
    given = autopilot_file_from_bytes(b"{}", "/f/AutopilotConfigurationFile.json")
    inside = autopilot_file_from_bytes(b"{}", "/m/a.wim#1:/Windows/Provisioning/Autopilot/x.json",
                                       "/Windows/Provisioning/Autopilot/x.json")
    facts = AutopilotFiles([given, inside], [])
    entries = AUTOPILOT_FILES.manifest_inputs(facts, {})
    assert [(e["path"], e["kind"]) for e in entries] == [
        ("/f/AutopilotConfigurationFile.json", "autopilot-file"),
        ("/m/a.wim#1:/Windows/Provisioning/Autopilot/x.json", "autopilot-file (in image)")]
    assert all(len(e["sha256"]) == 64 for e in entries)
    assert AUTOPILOT_FILES.subject_refs(facts, {})[given.path] == SubjectRef(files=(given.path,))
    assert AUTOPILOT_FILES.supplied(facts) == {"autopilot"}
