"""Regular-expression string ops: `tf.strings.regex_replace` and `tf.strings.regex_full_match`.

TF uses RE2; patterns are translated to Python's `re` for the common syntax (RE2 has no
backreferences or lookaround, so a valid RE2 pattern is nearly always a valid Python one).

>>> import tensorweave as tf
>>> print(tf.strings.regex_replace('aaa bbb', 'a', 'x'))
tf.Tensor(b'xxx bbb', shape=(), dtype=string)
"""

from __future__ import annotations

import functools
import re

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops.strings._util import STRING, map_bytes, require_string

_RE2_MESSAGES = (  # Python re.error text -> RE2's wording
    ("missing ), unterminated subpattern", "missing )"),
    ("unbalanced parenthesis", "unexpected )"),
    ("unterminated character set", "missing ]"),
    ("nothing to repeat", "no argument for repetition operator"),
    ("multiple repeat", "bad repetition operator"),
)


def _re2_message(e: re.error) -> str:
    text = str(e.msg) if hasattr(e, "msg") else str(e)
    for py, re2 in _RE2_MESSAGES:
        if text.startswith(py):
            return re2
    return text


@functools.lru_cache(maxsize=256)
def compile_re2(op_type: str, pattern: bytes):
    """`pattern` (RE2 syntax) compiled with Python's re, or TF's InvalidArgumentError."""
    translated = pattern.replace(b"\\C", b".")  # RE2's any-byte
    try:
        return re.compile(translated)
    except re.error as e:
        text = pattern.decode("utf-8", "replace")
        raise invalid(op_type, f"Invalid pattern: {text}, error: {_re2_message(e)}: {text}") from None


def _rewrite(rewrite: bytes) -> bytes:
    """RE2's rewrite string (\\0..\\9 groups, \\\\ for a backslash) as Python's template."""
    out, i = [], 0
    while i < len(rewrite):
        c = rewrite[i:i + 1]
        if c == b"\\" and i + 1 < len(rewrite):
            nxt = rewrite[i + 1:i + 2]
            if nxt.isdigit():
                out.append(b"\\g<" + nxt + b">")
            elif nxt == b"\\":
                out.append(b"\\\\")
            else:
                out.append(b"\\\\" + nxt)
            i += 2
            continue
        out.append(b"\\\\" if c == b"\\" else c)
        i += 1
    return b"".join(out)


static_regex_replace_p = Primitive("StaticRegexReplace", allowed=STRING)


@static_regex_replace_p.def_kernel
def _static_regex_replace(input, pattern, rewrite, replace_global):
    regex = compile_re2("StaticRegexReplace", pattern)
    template = _rewrite(rewrite)
    count = 0 if replace_global else 1
    return map_bytes(lambda s: regex.sub(template, s, count=count), input)


@static_regex_replace_p.def_abstract
def _static_regex_replace_rule(input, pattern, rewrite, replace_global):
    require_string("StaticRegexReplace", input)
    compile_re2("StaticRegexReplace", pattern)
    return AbstractValue(_dt.string, input.shape)


def _as_bytes(value) -> bytes:
    if hasattr(value, "numpy"):
        value = value.numpy()
    return value.encode() if isinstance(value, str) else bytes(value)


@tf_export("strings.regex_replace")
def regex_replace(input, pattern, rewrite, replace_global=True, name=None):
    """Replaces matches of `pattern` (RE2 syntax) with `rewrite` (`\\1` refers to group 1).

    >>> import tensorweave as tf
    >>> print(tf.strings.regex_replace('ab12', r'(\\d+)', r'<\\1>'))
    tf.Tensor(b'ab<12>', shape=(), dtype=string)
    """
    return bind(static_regex_replace_p, tensor(input), pattern=_as_bytes(pattern), rewrite=_as_bytes(rewrite),
                replace_global=bool(replace_global))


static_regex_full_match_p = Primitive("StaticRegexFullMatch", allowed=STRING)


@static_regex_full_match_p.def_kernel
def _static_regex_full_match(input, pattern):
    regex = compile_re2("StaticRegexFullMatch", pattern)
    flat = input.reshape(-1)
    out = np.array([regex.fullmatch(flat[i]) is not None for i in range(flat.size)], dtype=bool)
    return torch.from_numpy(out.reshape(input.shape))


@static_regex_full_match_p.def_abstract
def _static_regex_full_match_rule(input, pattern):
    require_string("StaticRegexFullMatch", input)
    compile_re2("StaticRegexFullMatch", pattern)
    return AbstractValue(_dt.bool, input.shape)


@tf_export("strings.regex_full_match")
def regex_full_match(input, pattern, name=None):
    """True where the whole string matches `pattern` (RE2 syntax)."""
    return bind(static_regex_full_match_p, tensor(input), pattern=_as_bytes(pattern))
