"""`tf.train.Example` and friends (tensorflow/core/example/{example,feature}.proto), on the hand-written
wire format of `wire.py`, plus a fast decoder used by the parsing ops.

>>> import tensorweave as tf
>>> f = tf.train.Feature(int64_list=tf.train.Int64List(value=[2, 3]))
>>> tf.train.Feature.FromString(f.SerializeToString()) == f
True
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.io.wire import DecodeError, Field, Message, decode_varint, iter_fields, signed64


@tf_export("train.BytesList")
class BytesList(Message):
    NAME = "tensorflow.BytesList"
    FIELDS = [Field("value", 1, "bytes", repeated=True)]


@tf_export("train.FloatList")
class FloatList(Message):
    NAME = "tensorflow.FloatList"
    FIELDS = [Field("value", 1, "float", repeated=True)]


@tf_export("train.Int64List")
class Int64List(Message):
    NAME = "tensorflow.Int64List"
    FIELDS = [Field("value", 1, "int64", repeated=True)]


@tf_export("train.Feature")
class Feature(Message):
    NAME = "tensorflow.Feature"
    FIELDS = [Field("bytes_list", 1, "message", cls=BytesList, oneof="kind"),
              Field("float_list", 2, "message", cls=FloatList, oneof="kind"),
              Field("int64_list", 3, "message", cls=Int64List, oneof="kind")]


@tf_export("train.Features")
class Features(Message):
    NAME = "tensorflow.Features"
    FIELDS = [Field("feature", 1, "map", cls=Feature)]


@tf_export("train.FeatureList")
class FeatureList(Message):
    NAME = "tensorflow.FeatureList"
    FIELDS = [Field("feature", 1, "message", repeated=True, cls=Feature)]


@tf_export("train.FeatureLists")
class FeatureLists(Message):
    NAME = "tensorflow.FeatureLists"
    FIELDS = [Field("feature_list", 1, "map", cls=FeatureList)]


@tf_export("train.Example")
class Example(Message):
    NAME = "tensorflow.Example"
    FIELDS = [Field("features", 1, "message", cls=Features)]


@tf_export("train.SequenceExample")
class SequenceExample(Message):
    NAME = "tensorflow.SequenceExample"
    FIELDS = [Field("context", 1, "message", cls=Features),
              Field("feature_lists", 2, "message", cls=FeatureLists)]


# ---- fast decoding for the parsing ops -------------------------------------------------------------
BYTES, FLOAT, INT64, NONE = 1, 2, 3, 0


def decode_feature(data) -> tuple[int, object]:
    """(kind, values) of an encoded Feature: bytes -> list of bytes, float -> float32 array,
    int64 -> int64 array; an empty Feature is (NONE, None)."""
    kind, values = NONE, None
    for number, wt, payload in iter_fields(data):
        if wt != 2 or number not in (1, 2, 3):
            continue
        kind = number
        if number == BYTES:
            values = [bytes(v) for n, _, v in iter_fields(payload) if n == 1]
        elif number == FLOAT:
            parts = []
            for n, wt2, v in iter_fields(payload):
                if n != 1:
                    continue
                parts.append(np.frombuffer(bytes(v), dtype="<f4"))
            values = np.concatenate(parts) if parts else np.zeros([0], np.float32)
        else:
            ints = []
            for n, wt2, v in iter_fields(payload):
                if n != 1:
                    continue
                if wt2 == 0:
                    ints.append(signed64(v))
                else:
                    pos, end = 0, len(v)
                    while pos < end:
                        x, pos = decode_varint(v, pos)
                        ints.append(signed64(x) if x >= 1 << 63 else x)
            values = np.array(ints, dtype=np.int64)
    return kind, values


def decode_features_map(data) -> dict:
    """{name: encoded Feature} of an encoded Features message (later entries win, as protobuf maps)."""
    out = {}
    for number, wt, entry in iter_fields(data):
        if number != 1 or wt != 2:
            continue
        key, value = b"", b""
        for n2, _, v2 in iter_fields(entry):
            if n2 == 1:
                key = v2
            elif n2 == 2:
                value = v2
        out[bytes(key).decode("utf-8", "replace")] = value
    return out


def decode_example(data) -> dict:
    """{name: encoded Feature} of a serialized Example (raises DecodeError on malformed input)."""
    features = b""
    for number, wt, value in iter_fields(data):
        if number == 1 and wt == 2:
            features = value  # (a repeated singular message merges; Examples carry one)
    return decode_features_map(features)


def decode_sequence_example(data) -> tuple[dict, dict]:
    """(context {name: Feature bytes}, feature_lists {name: [Feature bytes]})."""
    context, lists = b"", b""
    for number, wt, value in iter_fields(data):
        if number == 1 and wt == 2:
            context = value
        elif number == 2 and wt == 2:
            lists = value
    flists = {}
    for name, fl in decode_features_map(lists).items():
        flists[name] = [v for n, wt, v in iter_fields(fl) if n == 1 and wt == 2]
    return decode_features_map(context), flists


__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList", "FeatureLists",
           "Example", "SequenceExample", "DecodeError", "decode_example", "decode_feature"]


def _varint(data, pos):
    b = data[pos]
    if b < 0x80:
        return b, pos + 1
    return decode_varint(data, pos)


def fast_decode_example(data: bytes) -> dict:
    """{feature name: (kind, values)} of a serialized Example, decoded with inline loops (no per-field
    generators): the parsing ops' hot path. Malformed input raises DecodeError or IndexError."""
    n = len(data)
    pos = 0
    features = None
    while pos < n:
        tag, pos = _varint(data, pos)
        if tag == 0x0A:
            length, pos = _varint(data, pos)
            features = (pos, pos + length)
            pos += length
        else:
            from tensorweave._src.io.wire import skip_field

            pos = skip_field(data, pos, tag & 7)
    if pos != n:
        raise DecodeError("Truncated message")
    out = {}
    if features is None:
        return out
    pos, end = features
    if end > n:
        raise DecodeError("Truncated message")
    while pos < end:
        tag, pos = _varint(data, pos)
        length, pos = _varint(data, pos)
        entry_end = pos + length
        if tag != 0x0A:
            pos = entry_end
            continue
        key = b""
        fstart = fend = pos
        while pos < entry_end:
            t2, pos = _varint(data, pos)
            l2, pos = _varint(data, pos)
            if t2 == 0x0A:
                key = data[pos:pos + l2]
            elif t2 == 0x12:
                fstart, fend = pos, pos + l2
            pos += l2
        if pos != entry_end or entry_end > end:
            raise DecodeError("Truncated message")
        out[key.decode("utf-8", "replace")] = _fast_feature(data, fstart, fend)
    return out


def _fast_feature(data, pos, end):
    kind, values = NONE, None
    while pos < end:
        tag, pos = _varint(data, pos)
        length, pos = _varint(data, pos)
        lend = pos + length
        kind = tag >> 3
        if kind == BYTES:
            values = []
            while pos < lend:
                t, pos = _varint(data, pos)
                ln, pos = _varint(data, pos)
                values.append(data[pos:pos + ln])
                pos += ln
        elif kind == FLOAT:
            parts = []
            while pos < lend:
                t, pos = _varint(data, pos)
                if t == 0x0A:
                    ln, pos = _varint(data, pos)
                    parts.append(data[pos:pos + ln])
                    pos += ln
                else:
                    parts.append(data[pos:pos + 4])
                    pos += 4
            values = np.frombuffer(b"".join(parts), dtype="<f4")
        elif kind == INT64:
            ints = []
            while pos < lend:
                t, pos = _varint(data, pos)
                if t == 0x0A:
                    ln, pos = _varint(data, pos)
                    stop = pos + ln
                    while pos < stop:
                        x, pos = _varint(data, pos)
                        ints.append(x)
                else:
                    x, pos = _varint(data, pos)
                    ints.append(x)
            values = np.array([signed64(x) if x >= 1 << 63 else x for x in ints], dtype=np.int64)
        else:
            kind = NONE
        pos = lend
    if pos != end:
        raise DecodeError("Truncated message")
    return kind, values
