"""Records: the typed value classes of facts, catalog, rules and results.

What `@dataclass` gives them (keyword or positional construction, defaults and default factories,
equality, hash, repr, frozen fields, `replace`), without its cost at import: dataclasses compiles an
`__init__`, `__eq__`, `__repr__` and `__hash__` from source text for every class as its module loads,
which cost `inspect` more start-up than everything else it imports past click and lxml. A record's
`__eq__`, `__repr__` and `__hash__` are shared functions driven by the class's field table; its
`__init__` is compiled when the first record of the class is made (~40 us, for the classes a run
uses), and then costs ~0.3 us a record, where a generic one cost ~0.8 (thousands of results a check).
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
            if isinstance(value, _Factory):  # a subclass's factory replaces its base's default (and factory)
                factories.append((name, value.make))
                defaults.pop(name, None)
                delattr(cls, name)
            elif value is not _MISSING:  # a default wins over a base's factory (_constructor)
                defaults[name] = value
        fields = tuple(names)
        reserved = [n for n in fields if n in _RESERVED or n.startswith(("_default_", "_factory_"))]
        if reserved:  # the names the generated constructor uses for itself
            raise TypeError(f"{cls.__qualname__}: reserved field name(s) {reserved}")
        post_init = getattr(cls, "__post_init__", None)
        qualname = cls.__qualname__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            # the first record of this class compiles its constructor (only classes in use pay for it)
            cls.__init__ = _constructor(qualname, fields, defaults, factories, post_init)  # type: ignore[misc]
            cls.__init__(self, *args, **kwargs)

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
_RESERVED = frozenset(("_record", "_MISSING", "_set", "_post_init"))


def _constructor(qualname: str, fields: tuple[str, ...], defaults: dict[str, Any],
                 factories: list[tuple[str, Callable[[], Any]]], post_init: Callable | None) -> Callable:
    """The `__init__` dataclasses would write: Python binds the arguments (and says what is missing,
    unknown or given twice), one dict becomes the record's `__dict__`. Field names are annotations,
    so identifiers; values reach the code only as the names `_default_<field>` and `_factory_<field>`."""
    made = dict(factories)  # the last factory of a field: a subclass's
    scope: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__, "_post_init": post_init}
    params, body, optional = [], [], False
    for name in fields:
        if name in defaults:
            scope[f"_default_{name}"] = defaults[name]
            params.append(f"{name}=_default_{name}")
            optional = True
        elif name in made or optional:  # a factory's field, or a required one after a default
            params.append(f"{name}=_MISSING")
            if name in made:
                scope[f"_factory_{name}"] = made[name]
                body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
            else:
                body.append(f"    if {name} is _MISSING: raise TypeError(\"{qualname}() missing argument '{name}'\")")
            optional = True
        else:
            params.append(name)
    values = ", ".join(f"{name!r}: {name}" for name in fields)
    body.append(f"    _set(_record, '__dict__', {{{values}}})")
    if post_init is not None:
        body.append("    _post_init(_record)")
    exec(f"def __init__(_record, {', '.join(params)}):\n" + "\n".join(body), scope)
    init = scope["__init__"]
    init.__qualname__ = f"{qualname}.__init__"
    return init


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
