"""Records behave as the frozen dataclasses they replace: construction checks, defaults made fresh,
equality and hash by field, frozen fields, replace() and __post_init__ (issue 16: start-up)."""

from __future__ import annotations

from functools import cached_property

import pytest

from toolkit.records import FrozenRecordError, field, fields, record, replace


def make_point() -> type:
    """Built in each test, not at import: the decorator's own work is what is tested."""

    @record
    class Point:
        x: int
        y: int = 0
        tags: dict[str, str] = field(default_factory=dict)
        KIND = "point"  # no annotation: a class variable, not a field

        @cached_property
        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

    return Point


def make_bag() -> type:
    @record(frozen=False)
    class Bag:
        items: list[int] = field(default_factory=list)

    return Bag


def test_construction_positional_keyword_and_defaults():
    Point = make_point()
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(1).y == 0 and Point(1).tags == {}
    assert Point(1).tags is not Point(1).tags  # a default factory runs for each record
    assert fields(Point) == ("x", "y", "tags") and Point.KIND == "point"
    assert repr(Point(1)) == "make_point.<locals>.Point(x=1, y=0, tags={})"


@pytest.mark.parametrize("make, message", [
    (lambda Point: Point(), r"Point.__init__\(\) missing 1 required positional argument: 'x'$"),
    (lambda Point: Point(y=2), r"Point.__init__\(\) missing 1 required positional argument: 'x'$"),
    (lambda Point: Point(1, z=3), r"Point.__init__\(\) got an unexpected keyword argument 'z'$"),
    (lambda Point: Point(1, x=2), r"Point.__init__\(\) got multiple values for argument 'x'$"),
    (lambda Point: Point(1, 2, {}, 4), r"Point.__init__\(\) takes from 2 to 4 positional arguments but 5 were given$"),
])
def test_bad_construction_is_a_type_error(make, message):
    Point = make_point()
    with pytest.raises(TypeError, match=message):
        make(Point)


def test_frozen_equality_hash_and_replace():
    Point = make_point()
    p = Point(1, 2)
    with pytest.raises(FrozenRecordError, match=r"cannot change field 'x' of a frozen .*Point$"):
        p.x = 5
    with pytest.raises(FrozenRecordError, match="cannot change field 'y'"):
        del p.y
    assert p.norm == 3  # a cached_property still caches on a frozen record...
    assert p == Point(1, 2) and p != Point(1, 3) and p != (1, 2)  # ...and is not a field
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ())) != hash(Point(1, 3, ()))
    moved = replace(p, y=7)
    assert moved == Point(1, 7) and p.y == 2
    with pytest.raises(TypeError):
        replace(p, z=1)


def test_mutable_record_is_unhashable_and_assignable():
    Bag = make_bag()
    bag = Bag()
    bag.items.append(1)
    bag.items = [2]
    assert bag == Bag([2]) and Bag().items == [] and repr(bag) == "make_bag.<locals>.Bag(items=[2])"
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
    Point = make_point()

    @record
    class Labelled(Point):
        label: str = ""
        more: list[int] = field(default_factory=list)

    assert fields(Labelled) == ("x", "y", "tags", "label", "more")
    made = Labelled(1, label="a")
    assert (made.y, made.tags, made.label, made.more) == (0, {}, "a", [])
    assert Labelled(1, 2) == Labelled(1, 2, {}, "", [])


def test_mutable_fields_can_change_and_a_frozen_record_with_unhashable_fields_says_so():
    Bag = make_bag()
    bag = Bag([1])
    del bag.items
    assert "items" not in vars(bag)
    with pytest.raises(TypeError):
        hash(make_point()(1, 2, {}))  # a dict field: unhashable, as a frozen dataclass holding one


def test_a_required_field_after_a_default_and_a_subclass_replacing_a_default():
    Point = make_point()

    @record
    class Named(Point):
        name: str  # required, though the base's fields before it have defaults
        y: int = field(default_factory=lambda: 9)  # a factory where the base had a default

    assert Named(1, name="a") == Named(1, 9, {}, "a") and Named(1, name="a").y == 9
    with pytest.raises(TypeError, match=r"Named\(\) missing argument 'name'$"):
        Named(1)

    @record
    class Plain(Point):
        tags: dict = None  # a default where the base had a factory

    assert Plain(1).tags is None

    @record
    class Again(Point):
        tags: dict = field(default_factory=lambda: {"a": "b"})  # a factory where the base had one

    assert Again(1).tags == {"a": "b"}

    @record
    class After:
        count: int = 0
        label: str  # required right after a default

    assert After(label="x") == After(0, "x")
    with pytest.raises(TypeError, match=r"After\(\) missing argument 'label'$"):
        After(1)

    @record
    class Made:
        items: list = field(default_factory=list)
        label: str  # required after a factory's field

    assert Made(label="x") == Made([], "x") and Made(label="x").items == []
    with pytest.raises(TypeError, match=r"Made\(\) missing argument 'label'$"):
        Made([1])


@pytest.mark.parametrize("name", ["_record", "_set", "_MISSING", "_post_init", "_default_x", "_factory_y"])
def test_names_the_constructor_uses_are_refused_as_fields(name):
    with pytest.raises(TypeError, match="reserved field name"):
        record(type("Odd", (), {"__annotations__": {name: "int"}}))
