"""Records behave as the frozen dataclasses they replace: construction checks, defaults made fresh,
equality and hash by field, frozen fields, replace() and __post_init__ (issue 16: start-up)."""

from __future__ import annotations

from functools import cached_property

import pytest

from toolkit.records import FrozenRecordError, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    KIND = "point"  # no annotation: a class variable, not a field

    @cached_property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@record(frozen=False)
class Bag:
    items: list[int] = field(default_factory=list)


def test_construction_positional_keyword_and_defaults():
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(1).y == 0 and Point(1).tags == {}
    assert Point(1).tags is not Point(1).tags  # a default factory runs for each record
    assert fields(Point) == ("x", "y", "tags") and Point.KIND == "point"
    assert repr(Point(1)) == "Point(x=1, y=0, tags={})"


@pytest.mark.parametrize("make, message", [
    (lambda: Point(), "missing ['x']"),
    (lambda: Point(1, z=3), "unknown ['z']"),
    (lambda: Point(1, x=2), "multiple values"),
    (lambda: Point(1, 2, {}, 4), "takes 3 arguments"),
])
def test_bad_construction_is_a_type_error(make, message):
    with pytest.raises(TypeError, match=message.replace("[", r"\[")):
        make()


def test_frozen_equality_hash_and_replace():
    p = Point(1, 2)
    with pytest.raises(FrozenRecordError):
        p.x = 5
    with pytest.raises(AttributeError):
        del p.y
    assert p.norm == 3  # a cached_property still caches on a frozen record...
    assert p == Point(1, 2) and p != Point(1, 3) and p != (1, 2)  # ...and is not a field
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ()))
    moved = replace(p, y=7)
    assert moved == Point(1, 7) and p.y == 2
    with pytest.raises(TypeError):
        replace(p, z=1)


def test_mutable_record_is_unhashable_and_assignable():
    bag = Bag()
    bag.items.append(1)
    bag.items = [2]
    assert bag == Bag([2]) and Bag().items == []
    with pytest.raises(TypeError):
        hash(bag)


def test_post_init_runs_on_construction_and_replace():
    seen = []

    @record
    class Checked:
        n: int

        def __post_init__(self) -> None:
            seen.append(self.n)
            if self.n < 0:
                raise ValueError("negative")

    replace(Checked(1), n=2)
    assert seen == [1, 2]
    with pytest.raises(ValueError):
        Checked(-1)


def test_fields_of_a_record_base_come_first():
    @record
    class Labelled(Point):
        label: str = ""

    assert fields(Labelled) == ("x", "y", "tags", "label")
    assert Labelled(1, label="a").y == 0
