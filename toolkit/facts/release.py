"""The feature release of an image index, derived from its hive and WIM XML through the release catalog."""

from __future__ import annotations

from toolkit.catalog import Catalog, ReleaseMatch
from toolkit.facts import ImageFacts
from toolkit.facts.servicing import hive_build, lowest


def os_type(image: ImageFacts) -> str | None:
    """'client' or 'server' from INSTALLATIONTYPE; None (try both) for WinPE or missing."""
    if image.installation_type == "Client":
        return "client"
    if image.installation_type in ("Server", "Server Core"):
        return "server"
    return None


def release_of(image: ImageFacts, catalog: Catalog) -> ReleaseMatch | None:
    """The feature release: from the SOFTWARE hive's CurrentBuild when deep inspection read it
    (exact), else from the WIM XML BUILD (a base build: several candidates)."""
    level = lowest(image)
    ubr = level.ubr if level else image.version.spbuild
    build = hive_build(image)
    if build is not None and not image.boot_image:
        match = catalog.match(build, ubr, os_type(image), exact=True)
        if match.branches:
            return match
    if image.version.build is None:
        return None
    return catalog.match(image.version.build, ubr, os_type(image))
