"""`tf.nest`: flatten and rebuild nested structures (lists, tuples, namedtuples, dicts by sorted key).

>>> import tensorweave as tf
>>> tf.nest.flatten({"b": [1, 2], "a": 3})
[3, 1, 2]
>>> tf.nest.pack_sequence_as({"b": [0, 0], "a": 0}, [3, 1, 2])
{'a': 3, 'b': [1, 2]}
"""

from __future__ import annotations

import collections.abc
from typing import Any, Callable

from tensorweave._src.api_export import tf_export


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


_NESTED_BY_TYPE: dict = {}  # type -> is it a structure? (the Mapping ABC check is slow on every leaf)


def is_nested(x) -> bool:
    kind = type(x)
    nested = _NESTED_BY_TYPE.get(kind)
    if nested is None:
        nested = (issubclass(kind, (list, tuple, dict, collections.abc.Mapping))
                  and not issubclass(kind, (str, bytes)))
        _NESTED_BY_TYPE[kind] = nested
    return nested


def _children(x) -> list:
    kind = type(x)
    if kind is list or kind is tuple:
        return list(x)
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    return list(x)


def _sorted_keys(mapping) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


@tf_export("nest.flatten")
def flatten(structure, expand_composites: bool = False) -> list:
    """The leaves of `structure` in TF's order (dicts by sorted key); a non-nested value -> [value]."""
    if not is_nested(structure):
        return [structure]
    out: list = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, leaves: list, index: int):
    if not is_nested(template):
        return leaves[index], index + 1
    items = []
    for child in _children(template):
        value, index = _rebuild(child, leaves, index)
        items.append(value)
    return _sequence_like(template, items), index


def _sequence_like(template, items: list):
    if isinstance(template, collections.abc.Mapping):
        keys = _sorted_keys(template)
        rebuilt = dict(zip(keys, items))
        if type(template) is dict:
            return {k: rebuilt[k] for k in template}
        try:
            return type(template)((k, rebuilt[k]) for k in template)
        except TypeError:
            return {k: rebuilt[k] for k in template}
    if _is_namedtuple(template):
        return type(template)(*items)
    if isinstance(template, tuple):
        return tuple(items)
    return list(items)


@tf_export("nest.pack_sequence_as")
def pack_sequence_as(structure, flat_sequence, expand_composites: bool = False):
    """Rebuilds `structure`'s shape with the leaves `flat_sequence`."""
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"The target structure is of type `{type(structure)}`\n  {structure}\nHowever the "
                         f"input is a sequence ({type(flat_sequence)}) of length {len(flat_sequence)}.\n  "
                         f"{flat_sequence}.\nnest cannot guarantee that it is safe to map one to the other.")
    value, _ = _rebuild(structure, flat_sequence, 0)
    return value


@tf_export("nest.map_structure")
def map_structure(func: Callable, *structure, **kwargs) -> Any:
    """Applies `func` to corresponding leaves of the structures and rebuilds the first's shape."""
    kwargs.pop("check_types", None)
    kwargs.pop("expand_composites", None)
    if not structure:
        raise ValueError("Must provide at least one structure")
    for s in structure[1:]:
        assert_same_structure(structure[0], s)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats)])


@tf_export("nest.assert_same_structure")
def assert_same_structure(nest1, nest2, check_types: bool = True, expand_composites: bool = False) -> None:
    """Raises ValueError (or TypeError for differing sequence types) when two structures differ."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{nest1}\n\nSecond structure: {nest2}")
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2) and not (
            isinstance(nest1, collections.abc.Mapping) and isinstance(nest2, collections.abc.Mapping)):
        raise TypeError(f"The two structures don't have the same sequence type. Input structure has type "
                        f"{type(nest1)}, while shallow structure has type {type(nest2)}.")
    c1, c2 = _children(nest1), _children(nest2)
    if len(c1) != len(c2) or (isinstance(nest1, collections.abc.Mapping)
                              and set(nest1) != set(nest2)):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{nest1}\n\nSecond structure: {nest2}")
    for a, b in zip(c1, c2):
        assert_same_structure(a, b, check_types)


@tf_export("nest.is_nested")
def is_nested_public(seq) -> bool:
    return is_nested(seq)
