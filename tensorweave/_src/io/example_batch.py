"""Fast path of `parse_example` over a batch: dense FixedLenFeatures of many serialized Examples that
share one layout are gathered with numpy in one shot.

A batch's first record is decoded into a *layout*: the byte spans of the requested features' values
(bytes payloads, float bytes, int64 varints). Every other byte (tags, lengths, keys, other features) is
structural. A record of the same length whose structural bytes, and the continuation bits of its
varints, equal the template's decodes exactly like it (the decoder's control flow reads only structural
bytes), so its values are read at the same offsets. Records matching no layout (up to a few layouts
are tried) are decoded one by one; any error anywhere sends the whole batch back to the general
decoder, which raises TF's error for the right record.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tensorweave._src.io.example_pb import BYTES, FLOAT, INT64, NONE, fast_decode_example
from tensorweave._src.io.wire import DecodeError, decode_varint, skip_field

MIN_BATCH = 4  # smaller batches: the general decoder is as fast
_MAX_LAYOUTS = 8


class _Unsupported(Exception):
    """The template is not in the canonical shape the fast path handles: use the general decoder."""


# ---- layout of one record --------------------------------------------------------------------------
def _feature_spans(data: bytes) -> list:
    """[(key, start, end) of its Feature message] in order, mirroring example_pb.fast_decode_example."""
    n = len(data)
    pos, features = 0, None
    while pos < n:
        tag, pos = decode_varint(data, pos)
        if tag == 0x0A:
            length, pos = decode_varint(data, pos)
            features = (pos, pos + length)
            pos += length
        else:
            pos = skip_field(data, pos, tag & 7)
    if pos != n:
        raise _Unsupported
    out: list = []
    if features is None:
        return out
    pos, end = features
    if end > n:
        raise _Unsupported
    while pos < end:
        tag, pos = decode_varint(data, pos)
        length, pos = decode_varint(data, pos)
        entry_end = pos + length
        if entry_end > end:
            raise _Unsupported
        if tag != 0x0A:
            pos = entry_end
            continue
        key, fstart, fend = b"", pos, pos
        while pos < entry_end:
            t2, pos = decode_varint(data, pos)
            l2, pos = decode_varint(data, pos)
            if t2 == 0x0A:
                key = data[pos:pos + l2]
            elif t2 == 0x12:
                fstart, fend = pos, pos + l2
            pos += l2
        if pos != entry_end:
            raise _Unsupported
        out.append((key.decode("utf-8", "replace"), fstart, fend))
    return out


def _varint_span(data: bytes, pos: int, stop: int) -> tuple[int, int]:
    end = pos
    while end < stop and data[end] & 0x80:
        end += 1
    if end >= stop or end - pos >= 10:
        raise _Unsupported
    return pos, end + 1


def _value_spans(data: bytes, pos: int, end: int) -> tuple[int, list]:
    """(kind, spans of the values) of the Feature message at data[pos:end]: one span per bytes value,
    per run of float bytes, or per int64 varint; the last kind field wins, as in the decoder."""
    kind, spans = NONE, []
    while pos < end:
        tag, pos = decode_varint(data, pos)
        length, pos = decode_varint(data, pos)
        lend = pos + length
        if lend > end:
            raise _Unsupported
        kind, spans = tag >> 3, []
        if kind not in (BYTES, FLOAT, INT64):
            kind, pos = NONE, lend
            continue
        while pos < lend:
            t, pos = decode_varint(data, pos)
            if kind == BYTES or t == 0x0A:
                ln, pos = decode_varint(data, pos)
                if kind == INT64:  # packed varints
                    stop = pos + ln
                    while pos < stop:
                        span = _varint_span(data, pos, stop)
                        spans.append(span)
                        pos = span[1]
                    continue
                spans.append((pos, pos + ln))  # a bytes value or packed floats
                pos += ln
            elif kind == FLOAT:
                spans.append((pos, pos + 4))
                pos += 4
            else:
                span = _varint_span(data, pos, lend)
                spans.append(span)
                pos = span[1]
        if pos != lend:
            raise _Unsupported
    if kind == FLOAT and sum(b - a for a, b in spans) % 4:
        raise _Unsupported
    return kind, spans


class _Layout:
    """The template record's value spans per requested feature and its structural byte positions."""

    def __init__(self, data: bytes, keys: frozenset):
        self.length = len(data)
        self.kinds: dict = {}
        self.spans: dict = {}
        for key, start, end in _feature_spans(data):
            kind, spans = _value_spans(data, start, end)  # all: the decoder rejects any bad feature
            if key in keys:  # a later entry of a key wins; other features' bytes are structural
                self.kinds[key], self.spans[key] = kind, spans
        free = np.zeros(len(data), dtype=bool)
        varint_bytes: list = []
        self.gather: dict = {}  # key -> what the value extraction needs, computed once
        for key, kind in self.kinds.items():
            spans = self.spans[key]
            for a, b in spans:
                free[a:b] = True
                if kind == INT64:
                    varint_bytes.extend(range(a, b))
            if kind == FLOAT:
                self.gather[key] = np.array([i for a, b in spans for i in range(a, b)], dtype=np.intp)
            elif kind == INT64:
                self.gather[key] = _varint_groups(spans)
        template = np.frombuffer(data, dtype=np.uint8)
        self.fixed = np.flatnonzero(~free)
        self.fixed_bytes = template[self.fixed]
        self.varint = np.array(varint_bytes, dtype=np.intp)
        self.varint_bits = template[self.varint] & 0x80

    def match(self, rows: np.ndarray) -> np.ndarray:
        """Which rows (a [g, len] uint8 array) share this layout."""
        ok = (rows[:, self.fixed] == self.fixed_bytes).all(axis=1)
        if len(self.varint):
            ok &= ((rows[:, self.varint] & 0x80) == self.varint_bits).all(axis=1)
        return ok


def _varint_groups(spans: list) -> list:
    """[(value indices, start offsets, width)] of the varints, grouped by width."""
    starts = np.array([a for a, _ in spans], dtype=np.intp)
    widths = np.array([b - a for a, b in spans], dtype=np.intp)
    return [(np.flatnonzero(widths == w), starts[widths == w], w) for w in np.unique(widths).tolist()]


# recently used layouts per set of requested keys: batches of one file mostly share a layout
_CACHE: dict = {}
_CACHE_SIZE = 4
_CACHE_MAX_BYTES = 1 << 16


def _matching_layout(record: bytes, keys: frozenset, rows: np.ndarray) -> tuple[_Layout, np.ndarray]:
    """The layout of `record` (rows[0]), a cached one when it matches, and which rows share it."""
    cached = _CACHE.get(keys, [])
    for layout in cached:
        if layout.length == len(record):
            ok = layout.match(rows)
            if ok[0]:
                return layout, ok
    layout = _Layout(record, keys)
    if len(record) <= _CACHE_MAX_BYTES:
        _CACHE[keys] = [layout] + cached[:_CACHE_SIZE - 1]
    return layout, layout.match(rows)


# ---- values of the matching rows -------------------------------------------------------------------
def _bytes_values(spans: list, joined: bytes, length: int, members: np.ndarray) -> np.ndarray:
    starts = range(0, len(joined), length) if len(members) * length == len(joined) else \
        (members * length).tolist()
    values = [joined[s + a:s + b] for s in starts for a, b in spans]  # row-major: [g, len(spans)]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(len(members), len(spans))


def _float_values(cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows[:, cols]).view("<f4").astype(np.float32)


def _int64_values(groups: list, count: int, rows: np.ndarray) -> np.ndarray:
    out = np.zeros((len(rows), count), dtype=np.uint64)
    for which, starts, width in groups:
        acc = np.zeros((len(rows), len(which)), dtype=np.uint64)
        for k in range(width):  # little-endian base-128 digits; bits past 64 drop, as in signed64
            digit = (rows[:, starts + k] & 0x7F).astype(np.uint64)
            acc |= digit << np.uint64(7 * k)
        out[:, which] = acc
    return out.view(np.int64)


_NP = {BYTES: object, FLOAT: np.float32, INT64: np.int64}


def _dense_values(layout: _Layout, d, kind_of: dict, rows, joined, members):
    """[g, size] values of dense feature `d` in the rows sharing `layout`; None if the template itself
    has no valid value for it (missing without default, wrong type or count: the general decoder raises)."""
    size = int(np.prod(d.shape)) if d.shape else 1
    kind = layout.kinds.get(d.key, NONE)
    if kind == NONE:
        if d.default is None:
            return None
        return np.repeat(d.default.reshape(1, -1), len(members), axis=0)
    spans = layout.spans[d.key]
    if kind != kind_of[d.dtype] or (kind != FLOAT and len(spans) != size):
        return None
    if kind == BYTES:
        return _bytes_values(spans, joined, layout.length, members)
    if kind == FLOAT:
        cols = layout.gather[d.key]
        return _float_values(cols, rows) if len(cols) == 4 * size else None
    return _int64_values(layout.gather[d.key], size, rows)


def parse_dense(records: np.ndarray, dense: tuple, kind_of: dict, row_values: Callable):
    """[n, size] numpy values per dense FixedLenFeature of the serialized Examples `records` (a 1-D
    object array of bytes), or None when the batch needs the general decoder. `row_values(features,
    d, i)` gives one record's validated values (raising on a bad record)."""
    n = len(records)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=n)
    keys = frozenset(d.key for d in dense)
    outs: list = [None] * len(dense)
    todo = np.ones(n, dtype=bool)
    singles = 0
    for attempt in range(_MAX_LAYOUTS):
        left = np.flatnonzero(todo)
        if not len(left) or singles == 2:
            break
        first = records[left[0]]
        if attempt == 0 and lengths.min() == lengths.max():  # one length (the common case)
            cand, joined = left, b"".join(records)
        else:
            cand = left[lengths[left] == len(first)]
            joined = b"".join(records[cand])
        rows = np.frombuffer(joined, dtype=np.uint8).reshape(len(cand), len(first))
        try:
            layout, ok = _matching_layout(first, keys, rows)
        except (_Unsupported, DecodeError, IndexError, UnicodeDecodeError):
            break
        members = np.flatnonzero(ok)
        sub = rows if len(members) == len(cand) else rows[members]
        whole = len(members) == n  # one layout for the batch: its values are the outputs
        for j, d in enumerate(dense):
            values = _dense_values(layout, d, kind_of, sub, joined, members)
            if values is None:
                return None
            if whole:
                outs[j] = values
                continue
            if outs[j] is None:
                outs[j] = np.empty((n,) + values.shape[1:], dtype=_NP[kind_of[d.dtype]])
            outs[j][cand[members]] = values
        todo[cand[members]] = False
        singles = singles + 1 if len(members) == 1 else 0
    rest = np.flatnonzero(todo).tolist()
    for j, d in enumerate(dense):
        if outs[j] is None:
            outs[j] = np.empty((n, int(np.prod(d.shape)) if d.shape else 1), dtype=_NP[kind_of[d.dtype]])
    for i in rest:  # the rest one by one; errors: general decoder
        try:
            features = fast_decode_example(records[i])
            for d, out in zip(dense, outs):
                out[i] = row_values(features, d, i)
        except Exception:  # noqa: BLE001 - the general decoder raises TF's error
            return None
    return [out.reshape((n,) + tuple(d.shape)) for d, out in zip(dense, outs)]
