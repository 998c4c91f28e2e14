"""What every input kind provides, and the inputs of one run as the providers read them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from toolkit.records import field, record

if TYPE_CHECKING:
    from toolkit.pipeline.options import CheckOptions
    from toolkit.rules.base import Rule

NOT_SUPPLIED = "not-supplied"   # the input was not given (or holds nothing this rule judges)
SWITCHED_OFF = "switched-off"   # the input was given, but an option turned this reading off

Subjects = list[tuple[str, object]]  # (subject id, the facts judged, or a Verdict the source already knows)
Progress = Callable[[str, int, int], None] | None


@record
class Skip:
    """Why a rule judged nothing: the result is skipped with this message."""

    because: str  # NOT_SUPPLIED | SWITCHED_OFF
    message: str


@record(frozen=False)
class Inputs:
    """What each input kind read, under its provider's name; a kind not supplied is absent."""

    read: dict[str, Any] = field(default_factory=dict)

    def of(self, name: str) -> Any:
        return self.read.get(name)


class Provider:
    """One input kind. `facts` is what `read` returned (None: not supplied)."""

    name: str = ""                     # key in Inputs.read and CheckOptions.inputs
    rule_kinds: tuple[str, ...] = ()   # the rule `kind`s whose subjects it provides
    requires: tuple[str, ...] = ()     # the `--require` names it can supply
    order: int = 50                    # read and listed in this order (lowest first)
    flag: str | None = None            # its repeatable `check` option (None: the SOURCE arguments)
    metavar: str = "PATH"
    help: str = ""

    @property
    def parameter(self) -> str:
        """The name the CLI gives its option's values."""
        return "input_" + self.name.replace("-", "_")

    def read(self, options: CheckOptions, inputs: Inputs, progress: Progress) -> object | None:
        raise NotImplementedError

    def subjects(self, rule: Rule, facts: Any) -> Subjects | Skip:
        raise NotImplementedError

    def supplied(self, facts: Any) -> set[str]:
        return set(self.requires)

    def manifest_inputs(self, facts: Any, hashes: dict[str, str]) -> list[dict]:
        """The manifest's entries for the files read: fresh dicts of text, integers and null only (the
        manifest takes them as they are; a test holds every manifest to its JSON round trip)."""
        return []

    def subject_refs(self, facts: Any, hashes: dict[str, str]) -> dict:
        """What waiver scopes match on, per subject id."""
        return {}
