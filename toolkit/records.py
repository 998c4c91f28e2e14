"""Records: the typed value classes of facts, catalog, rules and results.

What `@dataclass` gives them (keyword or positional construction, defaults and default factories,
equality, hash, repr, frozen fields, `replace`), without generating code: dataclasses compiles an
`__init__`, `__eq__`, `__repr__` and `__hash__` from source text for every class as its module loads,
which cost `inspect` more start-up than everything else it imports past click and lxml. A record's
methods are shared functions driven by the class's field table. Construction builds one dict from
the arguments and the precomputed defaults: ~0.8 us against ~0.5 us for a generated dataclass
`__init__`, paid per object instead of ~0.5 ms per class at every start.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing import dataclass_transform
else:
    def dataclass_transform(**_):
        return lambda decorator: decorator

T = TypeVar("T")


class FrozenRecordError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A default made fresh for each record (a dict or list must not be shared)."""
    return _Factory(default_factory)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    """Make `cls` a record of its annotated fields (class variables without an annotation stay
    class variables). Frozen unless `frozen=False`; a `__post_init__` runs after construction."""

    def build(cls: type[T]) -> type[T]:
        names: list[str] = []
        defaults: dict[str, Any] = {}
        factories: list[tuple[str, Callable[[], Any]]] = []
        for base in reversed(cls.__mro__[1:]):  # fields of record bases come first, as in dataclasses
            names += [n for n in getattr(base, "__record_fields__", ()) if n not in names]
            defaults.update(getattr(base, "__record_defaults__", {}))
            factories += getattr(base, "__record_factories__", [])
        for name in inspect.get_annotations(cls):  # this class's own, as strings
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, _MISSING)
            if isinstance(value, _Factory):
                factories.append((name, value.make))
                delattr(cls, name)
            elif value is not _MISSING:
                defaults[name] = value
        fields, known = tuple(names), frozenset(names)
        post_init = getattr(cls, "__post_init__", None)
        qualname = cls.__qualname__

        count = len(fields)
        # the defaults of the fields after the first k, for a call with k positional arguments
        tails = [{name: defaults[name] for name in fields[k:] if name in defaults} for k in range(count + 1)]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if len(args) > count:
                raise TypeError(f"{qualname}() takes {count} arguments, {len(args)} given")
            values = dict(zip(fields, args, strict=False))  # no more than count: checked above
            if kwargs:
                if not kwargs.keys().isdisjoint(values):
                    raise TypeError(f"{qualname}() got multiple values for an argument")
                values = {**defaults, **values, **kwargs}
            elif len(args) < count:
                values.update(tails[len(args)])
            for name, make in factories:
                if name not in values:
                    values[name] = make()
            # without keywords only missing fields can be wrong, which the count tells
            if len(values) != count or (kwargs and values.keys() != known):
                unknown, missing = values.keys() - known, known - values.keys()
                raise TypeError(f"{qualname}(): unknown {sorted(unknown)}" if unknown
                                else f"{qualname}(): missing {sorted(missing)}")
            object.__setattr__(self, "__dict__", values)
            if post_init is not None:
                post_init(self)

        cls.__init__ = __init__  # type: ignore[misc]
        cls.__record_fields__ = fields  # type: ignore[attr-defined]
        cls.__record_defaults__ = defaults  # type: ignore[attr-defined]
        cls.__record_factories__ = factories  # type: ignore[attr-defined]
        cls.__repr__ = _repr  # type: ignore[method-assign]
        cls.__eq__ = _eq  # type: ignore[method-assign]
        if frozen:
            cls.__setattr__ = _frozen  # type: ignore[method-assign,assignment]
            cls.__delattr__ = _frozen  # type: ignore[method-assign,assignment]
            cls.__hash__ = _hash  # type: ignore[method-assign]
        else:
            cls.__hash__ = None  # type: ignore[assignment]  # mutable and compared by value: unhashable
        return cls

    return build if cls is None else build(cls)


_MISSING = object()


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({shown})"


def _values(self: Any) -> tuple:  # fields only: a cached_property also lives in __dict__
    return tuple(self.__dict__[name] for name in self.__record_fields__)


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _frozen(self: Any, name: str, *_: Any) -> None:
    raise FrozenRecordError(f"cannot change field {name!r} of a frozen {type(self).__qualname__}")


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of a record with some fields changed (constructed again: checks and __post_init__ run)."""
    return type(obj)(**{name: obj.__dict__[name] for name in fields(obj)} | changes)  # type: ignore[call-arg]


def fields(obj: object) -> tuple[str, ...]:
    """The field names of a record or record class, in declaration order."""
    return obj.__record_fields__  # type: ignore[attr-defined]
