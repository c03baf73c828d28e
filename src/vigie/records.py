"""Typed records to JSON and back, driven by the dataclass fields themselves.

Stages keep their results as dataclasses; what is stored (per-article analyses) goes through :func:`encode` and
comes back through :func:`decode`, so a field added to a record needs no serialiser of its own, and
:func:`fingerprint` changes with the fields, so rows written by an older shape are recognised as stale instead of
being misread. Plain JSON, never pickle: a store file handed over by someone else cannot run code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

__all__ = ["decode", "encode", "fingerprint"]

T = TypeVar("T")


def encode(obj: Any) -> Any:
    """A JSON-ready value: dataclasses become dicts of their fields, sets sorted lists, tuples lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, set | frozenset):
        return sorted((encode(x) for x in obj), key=repr)
    if isinstance(obj, list | tuple):
        return [encode(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): encode(v) for k, v in obj.items()}
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(tp: Any, data: Any) -> Any:
    """The value of type ``tp`` that :func:`encode` turned into ``data``.

    Raises:
        ValueError: ``data`` does not fit ``tp`` (a row written by another shape of the record).
    """
    if data is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return decode(args[0], data)
        return data  # a union of several concrete types: stored as is (str | int and the like)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ValueError(f"{tp.__name__}: expected an object, got {type(data).__name__}")
        hints = _hints(tp)
        kwargs = {f.name: decode(hints[f.name], data[f.name]) for f in dataclasses.fields(tp) if f.name in data}
        try:
            return tp(**kwargs)
        except TypeError as e:
            raise ValueError(f"{tp.__name__}: {e}") from e
    if origin in (list, set, frozenset, tuple):
        elems = get_args(tp)
        if origin is tuple and elems and elems[-1] is not Ellipsis:
            return tuple(decode(a, x) for a, x in zip(elems, data, strict=True))
        items = [decode(elems[0] if elems else Any, x) for x in data]
        return origin(items) if origin is not list else items
    if origin is dict:
        _, vt = get_args(tp) or (str, Any)
        return {k: decode(vt, v) for k, v in data.items()}
    return data


@cache
def fingerprint(cls: type) -> str:
    """A short hash of a record's shape: its fields' names and types, recursively."""
    seen: set[type] = set()

    def shape(tp: Any) -> str:
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if tp in seen:
                return tp.__name__
            seen.add(tp)
            hints = _hints(tp)
            return tp.__name__ + "(" + ",".join(f"{f.name}:{shape(hints[f.name])}" for f in dataclasses.fields(tp)) + ")"
        args = get_args(tp)
        if args:
            return f"{getattr(get_origin(tp), '__name__', str(get_origin(tp)))}[{','.join(shape(a) for a in args)}]"
        return getattr(tp, "__name__", str(tp))

    return hashlib.sha1(shape(cls).encode()).hexdigest()[:12]
