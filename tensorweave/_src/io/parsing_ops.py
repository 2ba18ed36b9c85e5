"""`tf.io.parse_example` / `parse_single_example` with FixedLenFeature, VarLenFeature and
FixedLenSequenceFeature, `tf.io.serialize_tensor` / `parse_tensor`, `tf.io.decode_raw`.

Parsing is one op (ParseExampleV2), so it also runs inside traced `Dataset.map` functions; its kernel
decodes the protobuf wire format in Python (example_pb.py) and builds numpy arrays.

>>> import tensorweave as tf
>>> ex = tf.train.Example(features=tf.train.Features(feature={
...     "x": tf.train.Feature(int64_list=tf.train.Int64List(value=[7]))}))
>>> tf.io.parse_single_example(ex.SerializeToString(), {"x": tf.io.FixedLenFeature([], tf.int64)})["x"]
<tf.Tensor: shape=(), dtype=int64, numpy=7>
"""

from __future__ import annotations

import collections

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core import backend, errors
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.io import example_batch, example_pb
from tensorweave._src.io.wire import DecodeError

tf = PublicNamespace()


@tf_export("io.FixedLenFeature")
class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A dense feature of fixed `shape`."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


@tf_export("io.VarLenFeature")
class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A variable-length feature, parsed into a SparseTensor."""


@tf_export("io.FixedLenSequenceFeature")
class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A variable number of `shape`-shaped items, parsed into a dense [num_items, *shape] tensor."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


_KIND_OF = {_dt.string: example_pb.BYTES, _dt.float32: example_pb.FLOAT, _dt.int64: example_pb.INT64}
_KIND_NAME = {example_pb.BYTES: "string", example_pb.FLOAT: "float", example_pb.INT64: "int64"}
_NP = {_dt.string: object, _dt.float32: np.float32, _dt.int64: np.int64}


class _Dense:
    __slots__ = ("key", "dtype", "shape", "default", "sequence", "allow_missing")

    def __init__(self, key, dtype, shape, default, sequence, allow_missing):
        self.key, self.dtype, self.shape, self.default = key, dtype, shape, default
        self.sequence, self.allow_missing = sequence, allow_missing


def _feature_error(msg):
    return errors.op_error(errors.InvalidArgumentError, "ParseExampleV2", msg)


def _values_of(raw, key, dtype, names_index):
    kind, values = raw
    if kind == example_pb.NONE:
        return None
    want = _KIND_OF[dtype]
    if kind != want:
        raise _feature_error(f"Name: <unknown>, Key: {key}, Index: {names_index}.  Data types don't match. "
                             f"Data type: {_KIND_NAME[kind]} but expected type: {_KIND_NAME[want]}")
    if dtype is _dt.string:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return arr
    return values


def _checked_dense(v, d, size: int, i: int):
    """The values of FixedLenFeature `d` in record `i` (None: missing), defaulted and size-checked."""
    if v is None:
        if d.default is None:
            raise _feature_error(f"Name: <unknown>, Feature: {d.key} (data type: "
                                 f"{d.dtype.name}) is required but could not be found.")
        v = d.default.reshape(-1)
    if len(v) != size:
        raise _feature_error(f"Name: <unknown>, Key: {d.key}, Index: {i}.  Number of "
                             f"{_KIND_NAME[_KIND_OF[d.dtype]]} values != expected.  Values size: "
                             f"{len(v)} but output shape: {list(d.shape)}")
    return v


def _dense_row(features: dict, d, i: int):
    """One record's values of FixedLenFeature `d` (for example_batch's records that match no layout)."""
    raw = features.get(d.key)
    v = None if raw is None else _values_of(raw, d.key, d.dtype, i)
    return _checked_dense(v, d, int(np.prod(d.shape)) if d.shape else 1, i)


def _parse_kernel(serialized, *, dense, sparse):
    batch_shape = serialized.shape
    records = serialized.reshape(-1)
    n = len(records)
    if n >= example_batch.MIN_BATCH and dense and not sparse and not any(d.sequence for d in dense):
        columns = example_batch.parse_dense(records, dense, _KIND_OF, _dense_row)
        if columns is not None:
            return tuple(backend.from_numpy(c.reshape(batch_shape + c.shape[1:]), d.dtype, copy=False)
                         for c, d in zip(columns, dense))
    decoded = []
    for i, rec in enumerate(records):
        try:
            decoded.append(example_pb.fast_decode_example(rec))
        except (DecodeError, IndexError, UnicodeDecodeError):
            raise _feature_error(f"Could not parse example input, value: '{rec!r}'") from None
    outputs = []
    # sparse (VarLenFeature): indices [N, rank+1], values [N], dense_shape
    for key, dtype in sparse:
        idx_rows, vals = [], []
        max_len = 0
        for i, feats in enumerate(decoded):
            raw = feats.get(key)
            v = None if raw is None else _values_of(raw, key, dtype, i)
            if v is None or len(v) == 0:
                continue
            m = len(v)
            max_len = max(max_len, m)
            idx_rows.append(np.stack([np.full(m, i, np.int64), np.arange(m, dtype=np.int64)], 1))
            vals.append(v)
        indices = np.concatenate(idx_rows) if idx_rows else np.zeros([0, 2], np.int64)
        values = np.concatenate(vals) if vals else np.zeros([0], _NP[dtype])
        if dtype is _dt.string and not vals:
            values = np.empty(0, dtype=object)
        if len(batch_shape) == 0:
            indices = indices[:, 1:]
            shape = np.array([max_len], np.int64)
        else:
            shape = np.array([n, max_len], np.int64)
        outputs += [backend.from_numpy(np.ascontiguousarray(indices), _dt.int64),
                    backend.from_numpy(values, dtype), backend.from_numpy(shape, _dt.int64)]
    for d in dense:
        size = int(np.prod(d.shape)) if d.shape else 1
        rows = []
        for i, feats in enumerate(decoded):
            raw = feats.get(d.key)
            v = None if raw is None else _values_of(raw, d.key, d.dtype, i)
            if d.sequence:
                if v is None:
                    if not d.allow_missing:
                        raise _feature_error(f"Name: <unknown>, Feature list '{d.key}' is required but could "
                                             f"not be found.  Did you mean to include it in "
                                             f"feature_list_dense_missing_assumed_empty or "
                                             f"feature_list_dense_defaults?")
                    v = np.zeros([0], _NP[d.dtype]) if d.dtype is not _dt.string else np.empty(0, object)
                if size and len(v) % size:
                    raise _feature_error(f"Name: <unknown>, Key: {d.key}, Index: {i}.  Number of {_KIND_NAME[_KIND_OF[d.dtype]]} "  # noqa: E501
                                         f"values is not a multiple of stride length. Saw {len(v)} values "
                                         f"but output shape is: {list(d.shape)}")
                rows.append(v)
                continue
            rows.append(_checked_dense(v, d, size, i))
        if d.sequence:
            count = max([len(r) // max(size, 1) for r in rows], default=0)
            fill = d.default if d.default is not None else (b"" if d.dtype is _dt.string else 0)
            out = np.empty([n, count * size], dtype=_NP[d.dtype])
            out[...] = fill if np.ndim(fill) == 0 else np.asarray(fill).reshape(-1)[0]
            for i, r in enumerate(rows):
                out[i, :len(r)] = r
            out = out.reshape([n, count] + list(d.shape))
        elif n and d.dtype is not _dt.string:
            out = np.concatenate(rows).reshape([n] + list(d.shape)) if size else \
                np.zeros([n] + list(d.shape), _NP[d.dtype])
        else:
            out = np.empty([n * size], dtype=_NP[d.dtype])
            if n and size:
                out[:] = [x for r in rows for x in r]
            out = out.reshape([n] + list(d.shape))
        out = out.reshape(list(batch_shape) + list(out.shape[1:]))
        outputs.append(backend.from_numpy(np.ascontiguousarray(out) if out.dtype != object else out, d.dtype))
    return tuple(outputs)


parse_example_p = Primitive("ParseExampleV2", multiple_results=True, allowed={_dt.string})
parse_example_p.def_kernel(_parse_kernel)


@parse_example_p.def_abstract
def _parse_rule(serialized, *, dense, sparse):
    batch = serialized.shape.as_list() if serialized.shape.rank is not None else None
    rank = 1 if batch == [] else 2
    out = []
    for _key, dtype in sparse:
        out += [AbstractValue(_dt.int64, TensorShape([None, rank])), AbstractValue(dtype,
                                                                                   TensorShape([None])),
                AbstractValue(_dt.int64, TensorShape([rank]))]
    for d in dense:
        extra = [None] if d.sequence else []
        out.append(AbstractValue(d.dtype,
                                 TensorShape(None if batch is None else batch + extra + list(d.shape))))
    return tuple(out)


@parse_example_p.def_grad
def _parse_grad(op, *dys):
    return [None]


def _normalize_features(features):
    if not isinstance(features, dict):
        raise TypeError("features must be a dict")
    dense, sparse = [], []
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, VarLenFeature):
            dtype = tf.as_dtype(spec.dtype)
            _check_dtype(dtype, key)
            sparse.append((key, dtype))
        elif isinstance(spec, (FixedLenFeature, FixedLenSequenceFeature)):
            dtype = tf.as_dtype(spec.dtype)
            _check_dtype(dtype, key)
            shape = TensorShape(spec.shape).as_list() if spec.shape is not None else []
            if any(s is None for s in shape):
                raise ValueError(f"All dimensions of shape for feature {key} need to be known but received "
                                 f"{shape}.")
            default = spec.default_value
            seq = isinstance(spec, FixedLenSequenceFeature)
            if default is not None:
                default = np.asarray(default.numpy() if hasattr(default, "numpy") else default,
                                     dtype=_NP[dtype])
                if not seq:
                    default = np.broadcast_to(default, shape).copy() if default.size != int(np.prod(shape)) \
                        else default.reshape(shape)
            dense.append(_Dense(key, dtype, tuple(shape), default, seq,
                                getattr(spec, "allow_missing", False)))
        else:
            raise ValueError(f"Invalid feature {key}:{spec}.")
    return tuple(dense), tuple(sparse)


def _check_dtype(dtype, key):
    if dtype not in _KIND_OF:
        raise ValueError(f"Unsupported {dtype.name} for feature {key}: only tf.string, tf.float32 and "
                         f"tf.int64 are supported.")


def _parse(serialized, features, single):
    from tensorweave._src.framework.sparse_tensor import SparseTensor

    serialized = tf.convert_to_tensor(serialized, dtype=tf.string)
    if single and serialized.shape.rank not in (None, 0):
        raise ValueError(f"Input serialized must be a scalar; got shape {serialized.shape}")
    if not single and serialized.shape.rank not in (None, 0, 1):
        raise ValueError(f"Input serialized must be a vector or scalar; got shape {serialized.shape}")
    dense, sparse = _normalize_features(features)
    if any(d.sequence and not d.allow_missing for d in dense):
        bad = next(d.key for d in dense if d.sequence and not d.allow_missing)
        raise ValueError(f"Unsupported: FixedLenSequenceFeature requires allow_missing to be True "
                         f"(feature {bad}).")
    outs = bind(parse_example_p, serialized, dense=dense, sparse=sparse)
    result = {}
    for i, (key, _dtype) in enumerate(sparse):
        result[key] = SparseTensor(outs[3 * i], outs[3 * i + 1], outs[3 * i + 2])
    for j, d in enumerate(dense):
        result[d.key] = outs[3 * len(sparse) + j]
    return result


@tf_export("io.parse_example")
def parse_example(serialized, features, example_names=None, name=None):
    """Parses a vector of serialized Examples into a dict of dense tensors and SparseTensors."""
    return _parse(serialized, features, single=False)


@tf_export("io.parse_single_example")
def parse_single_example(serialized, features, example_names=None, name=None):
    """Parses one serialized Example (a scalar string)."""
    return _parse(serialized, features, single=True)


# ---- serialize_tensor / parse_tensor (TensorProto) -------------------------------------------------
_DT_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
            "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14, "uint16": 17, "complex128": 18,
            "float16": 19, "uint32": 22, "uint64": 23}
_ENUM_DT = {v: k for k, v in _DT_ENUM.items()}


def _encode_tensor_proto(array: np.ndarray, dtype) -> bytes:
    from tensorweave._src.io.wire import encode_varint

    out = bytearray()
    out.append(0x08)
    encode_varint(_DT_ENUM[dtype.name], out)
    shape = bytearray()
    for d in array.shape:
        dim = bytearray([0x08])
        encode_varint(int(d), dim)
        shape.append(0x12)
        encode_varint(len(dim), shape)
        shape += dim
    out.append(0x12)
    encode_varint(len(shape), out)
    out += shape
    if dtype is _dt.string:
        for s in array.reshape(-1):
            out.append(0x42)
            encode_varint(len(s), out)
            out += s
    else:
        content = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        if content:
            out.append(0x22)
            encode_varint(len(content), out)
            out += content
    return bytes(out)


def _decode_tensor_proto(data: bytes):
    from tensorweave._src.io.wire import iter_fields

    dtype_enum, dims, content, strings = 0, [], None, []
    scalars: dict = collections.defaultdict(list)
    for number, wt, value in iter_fields(data):
        if number == 1:
            dtype_enum = value
        elif number == 2:
            for n2, _, v2 in iter_fields(value):
                if n2 == 2:
                    for n3, _, v3 in iter_fields(v2):
                        if n3 == 1:
                            dims.append(v3)
        elif number == 4:
            content = bytes(value)
        elif number == 8:
            strings.append(bytes(value))
        else:
            scalars[number].append((wt, value))
    name = _ENUM_DT.get(dtype_enum)
    if name is None:
        raise DecodeError("bad dtype")
    dtype = tf.as_dtype(name)
    if dtype is _dt.string:
        arr = np.empty(len(strings), dtype=object)
        arr[:] = strings
        return arr.reshape(dims) if int(np.prod(dims)) == len(strings) else np.full(dims,
                                                                                    strings[0] if strings
                                                                                     else b"",
                                                                                     dtype=object), dtype
    npdt = np.dtype(dtype.as_numpy_dtype)
    if content is not None:
        return np.frombuffer(content, dtype=npdt.newbyteorder("<")).astype(npdt).reshape(dims), dtype
    return np.zeros(dims, npdt), dtype


serialize_tensor_p = Primitive("SerializeTensor")


@serialize_tensor_p.def_kernel
def _serialize_kernel(x, *, dtype):
    array = x if dtype is _dt.string else backend.to_numpy(x)
    out = np.empty((), dtype=object)
    out[()] = _encode_tensor_proto(np.asarray(array), dtype)
    return out


@serialize_tensor_p.def_abstract
def _serialize_rule(x, *, dtype):
    return AbstractValue(_dt.string, TensorShape([]))


@tf_export("io.serialize_tensor")
def serialize_tensor(tensor, name=None):
    """A scalar string: the TensorProto of `tensor` (byte-compatible with TF's)."""
    tensor = tf.convert_to_tensor(tensor)
    return bind(serialize_tensor_p, tensor, dtype=tensor.dtype)


parse_tensor_p = Primitive("ParseTensor", allowed={_dt.string})


@parse_tensor_p.def_kernel
def _parse_tensor_kernel(serialized, *, out_type):
    try:
        array, dtype = _decode_tensor_proto(serialized.reshape(-1)[0] if serialized.ndim else serialized[()])
    except (DecodeError, IndexError, ValueError):
        raise errors.op_error(errors.InvalidArgumentError, "ParseTensor",
                              "Could not parse `serialized` as TensorProto: ''") from None
    if dtype is not out_type:
        raise errors.op_error(errors.InvalidArgumentError, "ParseTensor",
                              f"Type mismatch between parsed tensor ({dtype.name}) and dtype "
                              f"({out_type.name})")
    return backend.from_numpy(array, dtype)


@parse_tensor_p.def_abstract
def _parse_tensor_rule(serialized, *, out_type):
    return AbstractValue(out_type, TensorShape(None))


@tf_export("io.parse_tensor")
def parse_tensor(serialized, out_type, name=None):
    """The tensor of a serialized TensorProto (`out_type` must match its dtype)."""
    return bind(parse_tensor_p, tf.convert_to_tensor(serialized, dtype=tf.string),
                out_type=tf.as_dtype(out_type))


# ---- decode_raw ------------------------------------------------------------------------------------
decode_raw_p = Primitive("DecodeRaw", allowed={_dt.string})


@decode_raw_p.def_kernel
def _decode_raw_kernel(data, *, out_type, little_endian, fixed_length):
    npdt = np.dtype(out_type.as_numpy_dtype).newbyteorder("<" if little_endian else ">")
    flat = data.reshape(-1)
    if fixed_length is not None:
        n = fixed_length // npdt.itemsize
        rows = [np.frombuffer(s[:fixed_length].ljust(fixed_length, b"\0"), npdt) for s in flat]
        out = np.stack(rows) if rows else np.zeros([0, n], npdt)
        return backend.from_numpy(out.astype(npdt.newbyteorder("=")).reshape(data.shape + (n,)), out_type)
    lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    size = int(lengths[0]) if len(lengths) else 0
    other = np.flatnonzero(lengths != size)
    if len(other):  # TF checks the sizes first, then the first size's multiple
        i = int(other[0])
        raise errors.op_error(errors.InvalidArgumentError, "DecodeRaw",
                              f"DecodeRaw requires input strings to all be the same size, but element {i} "
                              f"has size {size} != {int(lengths[i])}")
    if size % npdt.itemsize:
        raise errors.op_error(errors.InvalidArgumentError, "DecodeRaw",
                              f"Input to DecodeRaw has length {size} that is not a multiple of "
                              f"{npdt.itemsize}, the size of {out_type.name}")
    n = size // npdt.itemsize
    out = np.frombuffer(bytearray().join(flat), npdt)  # one copy, writable
    if not npdt.isnative:
        out = out.astype(npdt.newbyteorder("="))
    return backend.from_numpy(out.reshape(data.shape + (n,)), out_type, copy=False)


@decode_raw_p.def_abstract
def _decode_raw_rule(data, *, out_type, little_endian, fixed_length):
    if data.shape.rank is None:
        return AbstractValue(out_type, TensorShape(None))
    n = None if fixed_length is None else fixed_length // out_type.size
    return AbstractValue(out_type, TensorShape(data.shape.as_list() + [n]))


@tf_export("io.decode_raw")
def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as a vector of `out_type`."""
    out_type = tf.as_dtype(out_type)
    return bind(decode_raw_p, tf.convert_to_tensor(input_bytes, dtype=tf.string), out_type=out_type,
                little_endian=bool(little_endian),
                fixed_length=None if fixed_length is None else int(fixed_length))
