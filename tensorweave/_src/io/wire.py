"""Protocol-buffer wire format, written by hand: varints, tags, length-delimited fields, and a tiny
message framework (`Message` with declared fields) that serializes, parses and prints text format the
way TF's protobuf runtime (upb) does.

Field kinds: "bytes", "string", "float", "double", "int64", "int32", "uint64", "bool", "enum",
"message" (with `cls`), and "map" (string keys, message values, with `cls`).
"""

from __future__ import annotations

import struct

import numpy as np


class DecodeError(Exception):
    """Raised when bytes are not a valid encoding of the message."""


# ---- primitives ------------------------------------------------------------------------------------
def encode_varint(value: int, out: bytearray) -> None:
    if value < 0:
        value += 1 << 64
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def decode_varint(data, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    n = len(data)
    while True:
        if pos >= n:
            raise DecodeError("Truncated varint")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("Varint too long")


def signed64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def skip_field(data, pos: int, wire_type: int) -> int:
    if wire_type == 0:
        return decode_varint(data, pos)[1]
    if wire_type == 1:
        return pos + 8
    if wire_type == 2:
        length, pos = decode_varint(data, pos)
        return pos + length
    if wire_type == 5:
        return pos + 4
    raise DecodeError(f"Unsupported wire type {wire_type}")


def iter_fields(data, start: int = 0, end: int | None = None):
    """Yields (field_number, wire_type, value, pos) over an encoded message; value is an int for
    varints, bytes-like for length-delimited and fixed fields."""
    pos = start
    end = len(data) if end is None else end
    while pos < end:
        key, pos = decode_varint(data, pos)
        number, wt = key >> 3, key & 7
        if wt == 0:
            value, pos = decode_varint(data, pos)
        elif wt == 2:
            length, pos = decode_varint(data, pos)
            if pos + length > end:
                raise DecodeError("Truncated message")
            value = data[pos:pos + length]
            pos += length
        elif wt == 5:
            value = data[pos:pos + 4]
            pos += 4
        elif wt == 1:
            value = data[pos:pos + 8]
            pos += 8
        else:
            raise DecodeError(f"Unsupported wire type {wt}")
        if pos > end:
            raise DecodeError("Truncated message")
        yield number, wt, value


# ---- text format -----------------------------------------------------------------------------------
_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("'"): "\\'",
            ord("\\"): "\\\\"}


def escape_bytes(b: bytes) -> str:
    out = []
    for c in b:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif c < 0x20 or c >= 0x7F:
            out.append(f"\\{c:03o}")
        else:
            out.append(chr(c))
    return "".join(out)


def format_float32(v: float) -> str:
    """upb's round-trip float formatting: %.6g if it reads back as the same float32, else %.9g."""
    v = float(np.float32(v))
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    s = "%.6g" % v
    if float(np.float32(float(s))) == v:
        return s
    return "%.9g" % v


def format_double(v: float) -> str:
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    s = "%.15g" % v
    return s if float(s) == v else "%.17g" % v


# ---- messages --------------------------------------------------------------------------------------
class Field:
    __slots__ = ("name", "number", "kind", "repeated", "cls", "oneof", "packed")

    def __init__(self, name, number, kind, repeated=False, cls=None, oneof=None, packed=True):
        self.name, self.number, self.kind, self.repeated = name, number, kind, repeated
        self.cls, self.oneof, self.packed = cls, oneof, packed


_SCALAR_DEFAULTS = {"bytes": b"", "string": "", "float": 0.0, "double": 0.0, "int64": 0, "int32": 0,
                    "uint64": 0, "bool": False, "enum": 0}


def _check_scalar(kind: str, value):
    if kind == "bytes":
        if isinstance(value, bytearray):
            return bytes(value)
        if not isinstance(value, bytes):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: bytes")
        return value
    if kind == "string":
        if isinstance(value, bytes):
            return value.decode("utf-8")
        if not isinstance(value, str):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: bytes, str")
        return value
    if kind in ("float", "double"):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: int, float")
        return float(np.float32(value)) if kind == "float" else float(value)
    if kind == "bool":
        return bool(value)
    if isinstance(value, (float, np.floating, str, bytes)) or not hasattr(value, "__index__"):
        raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: int")
    value = int(value)
    if kind == "int64" and not -(1 << 63) <= value < (1 << 63):
        raise ValueError(f"Value out of range: {value}")
    return value


class Repeated(list):
    """A repeated scalar or message field (a list that type-checks what goes in)."""

    def __init__(self, owner, field, values=()):
        super().__init__()
        self._owner, self._field = owner, field
        if values:
            self.extend(values)

    def _conv(self, v):
        f = self._field
        if f.kind == "message":
            if not isinstance(v, f.cls):
                raise TypeError(f"Expected {f.cls.__name__}, got {type(v).__name__}")
            return v
        return _check_scalar(f.kind, v)

    def append(self, v):
        super().append(self._conv(v))
        self._owner._touch(self._field)

    def extend(self, values):
        if hasattr(values, "numpy"):
            values = values.numpy()
        if isinstance(values, np.ndarray):
            values = values.tolist()
        super().extend([self._conv(v) for v in values])
        self._owner._touch(self._field)

    def add(self, **kwargs):
        m = self._field.cls(**kwargs)
        super().append(m)
        self._owner._touch(self._field)
        return m

    def __setitem__(self, i, v):
        super().__setitem__(i, self._conv(v) if not isinstance(i, slice) else [self._conv(x) for x in v])

    def __eq__(self, other):
        return list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        return repr(list(self))


class MessageMap(dict):
    """map<string, Message>: reading a missing key creates its entry, as protobuf maps do."""

    def __init__(self, owner, field):
        super().__init__()
        self._owner, self._field = owner, field

    def __missing__(self, key):
        value = self._field.cls()
        self[key] = value
        return value

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            key = _check_scalar("string", key)
        if not isinstance(value, self._field.cls):
            raise TypeError(f"Expected {self._field.cls.__name__}, got {type(value).__name__}")
        super().__setitem__(key, value)
        self._owner._touch(self._field)

    def get_or_create(self, key):
        return self[key]


class Message:
    """Base of the hand-written messages. Subclasses set FIELDS (a list of Field) and NAME."""

    FIELDS: list = []
    NAME = "Message"
    _BY_NAME: dict
    _BY_NUMBER: dict

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._BY_NAME = {f.name: f for f in cls.FIELDS}
        cls._BY_NUMBER = {f.number: f for f in cls.FIELDS}

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_present", set())
        object.__setattr__(self, "_parent", None)
        for name, value in kwargs.items():
            f = self._BY_NAME.get(name)
            if f is None:
                raise ValueError(f'Protocol message {self.NAME} has no "{name}" field.')
            if value is None:
                continue
            if f.kind == "map":
                m = getattr(self, name)
                for k, v in (value.items() if hasattr(value, "items") else value):
                    m[k] = v
            elif f.repeated:
                getattr(self, name).extend(value)
            elif f.kind == "message":
                if isinstance(value, dict):
                    value = f.cls(**value)
                if not isinstance(value, f.cls):
                    raise TypeError(f"Message must be initialized with a dict: {self.NAME}.{name}")
                self._set_message(f, value)
            else:
                setattr(self, name, value)

    # ---- field access --------------------------------------------------------------------------
    def __getattr__(self, name):
        f = type(self)._BY_NAME.get(name)
        if f is None:
            raise AttributeError(f"{self.NAME} has no attribute {name!r}")
        values = self._values
        if name in values:
            return values[name]
        if f.kind == "map":
            v = MessageMap(self, f)
        elif f.repeated:
            v = Repeated(self, f)
        elif f.kind == "message":
            v = f.cls()
            object.__setattr__(v, "_parent", (self, f))
        else:
            return _SCALAR_DEFAULTS[f.kind]
        values[name] = v
        return v

    def __setattr__(self, name, value):
        f = type(self)._BY_NAME.get(name)
        if f is None:
            raise AttributeError(f"{self.NAME} has no attribute {name!r}")
        if f.repeated or f.kind in ("message", "map"):
            raise AttributeError(f"Assignment not allowed to field \"{name}\" in protocol message object.")
        self._values[name] = _check_scalar(f.kind, value)
        self._touch(f)

    def _set_message(self, f, value):
        value = value.__deepcopy__()
        object.__setattr__(value, "_parent", (self, f))
        self._values[f.name] = value
        self._touch(f)

    def _touch(self, f):
        if f.oneof:
            for other in self.FIELDS:
                if other.oneof == f.oneof and other is not f:
                    self._present.discard(other.name)
                    self._values.pop(other.name, None)
        self._present.add(f.name)
        parent = self._parent
        if parent is not None:
            owner, field = parent
            if owner._values.get(field.name) is self:
                owner._touch(field)

    def HasField(self, name):
        f = self._BY_NAME.get(name)
        if f is None or f.repeated:
            raise ValueError(f'Protocol message {self.NAME} has no singular "{name}" field.')
        return name in self._present

    def WhichOneof(self, group):
        for f in self.FIELDS:
            if f.oneof == group and f.name in self._present:
                return f.name
        return None

    def ClearField(self, name):
        self._values.pop(name, None)
        self._present.discard(name)

    def Clear(self):
        self._values.clear()
        self._present.clear()

    def ListFields(self):
        return [(f, self._values[f.name]) for f in self.FIELDS if self._has_content(f)]

    def _has_content(self, f):
        if f.name not in self._values:
            return False
        v = self._values[f.name]
        if f.repeated or f.kind == "map":
            return len(v) > 0
        if f.kind == "message" or f.oneof:
            return f.name in self._present
        return v != _SCALAR_DEFAULTS[f.kind]

    def MergeFrom(self, other):
        self.MergeFromString(other.SerializeToString())

    def CopyFrom(self, other):
        self.Clear()
        self.MergeFrom(other)

    def __deepcopy__(self, memo=None):
        return type(self).FromString(self.SerializeToString())

    def __eq__(self, other):
        return type(other) is type(self) and self.SerializeToString(deterministic=True) == \
            other.SerializeToString(deterministic=True)

    __hash__ = None

    def __reduce__(self):
        return type(self).FromString, (self.SerializeToString(),)

    def IsInitialized(self):
        return True

    def ByteSize(self):
        return len(self.SerializeToString())

    # ---- wire format ---------------------------------------------------------------------------
    def SerializeToString(self, deterministic=None) -> bytes:
        out = bytearray()
        self._write(out)
        return bytes(out)

    SerializePartialToString = SerializeToString

    def _write(self, out: bytearray) -> None:
        for f in self.FIELDS:
            if not self._has_content(f):
                continue
            v = self._values[f.name]
            if f.kind == "map":
                for key in sorted(v):
                    entry = bytearray()
                    kb = key.encode("utf-8")
                    entry.append(0x0A)
                    encode_varint(len(kb), entry)
                    entry += kb
                    sub = bytearray()
                    v[key]._write(sub)
                    entry.append(0x12)
                    encode_varint(len(sub), entry)
                    entry += sub
                    encode_varint(f.number << 3 | 2, out)
                    encode_varint(len(entry), out)
                    out += entry
            elif f.repeated and f.kind != "message" and f.kind not in ("bytes", "string") and f.packed:
                packed = bytearray()
                _write_scalars(f.kind, v, packed)
                encode_varint(f.number << 3 | 2, out)
                encode_varint(len(packed), out)
                out += packed
            else:
                for item in (v if f.repeated else [v]):
                    _write_value(f, item, out)

    @classmethod
    def FromString(cls, data):
        m = cls()
        m.MergeFromString(data)
        return m

    def ParseFromString(self, data):
        self.Clear()
        return self.MergeFromString(data)

    def MergeFromString(self, data):
        if isinstance(data, str):
            raise TypeError("memoryview: a bytes-like object is required, not 'str'")
        data = bytes(data)
        try:
            self._merge(data)
        except (IndexError, struct.error, UnicodeDecodeError) as e:
            raise DecodeError(f"Error parsing message with type '{self.NAME}'") from e
        except DecodeError:
            raise DecodeError(f"Error parsing message with type '{self.NAME}'") from None
        return len(data)

    def _merge(self, data):
        by_number = self._BY_NUMBER
        for number, wt, value in iter_fields(data):
            f = by_number.get(number)
            if f is None:
                continue
            if f.kind == "map":
                key, sub = "", b""
                for n2, _, v2 in iter_fields(value):
                    if n2 == 1:
                        key = bytes(v2).decode("utf-8")
                    elif n2 == 2:
                        sub = v2
                entry = f.cls()
                entry._merge(bytes(sub))
                getattr(self, f.name)[key] = entry
            elif f.kind == "message":
                if f.repeated:
                    m = f.cls()
                    m._merge(bytes(value))
                    getattr(self, f.name).append(m)
                else:
                    getattr(self, f.name)._merge(bytes(value))
                    self._touch(f)
            elif f.repeated:
                target = getattr(self, f.name)
                if wt == 2 and f.kind not in ("bytes", "string"):
                    list.extend(target, _read_packed(f.kind, value))
                else:
                    list.append(target, _read_scalar(f.kind, wt, value))
                self._touch(f)
            else:
                self._values[f.name] = _read_scalar(f.kind, wt, value)
                self._touch(f)

    # ---- text format ---------------------------------------------------------------------------
    def _text(self, indent: int, lines: list) -> None:
        pad = "  " * indent
        for f in self.FIELDS:
            if not self._has_content(f):
                continue
            v = self._values[f.name]
            if f.kind == "map":
                for key in sorted(v, reverse=True):  # upb prints map entries in this order
                    lines.append(f"{pad}{f.name} {{")
                    lines.append(f'{pad}  key: "{escape_bytes(key.encode("utf-8"))}"')
                    lines.append(f"{pad}  value {{")
                    v[key]._text(indent + 2, lines)
                    lines.append(f"{pad}  }}")
                    lines.append(f"{pad}}}")
            elif f.kind == "message":
                for item in (v if f.repeated else [v]):
                    lines.append(f"{pad}{f.name} {{")
                    item._text(indent + 1, lines)
                    lines.append(f"{pad}}}")
            else:
                for item in (v if f.repeated else [v]):
                    lines.append(f"{pad}{f.name}: {_text_scalar(f, item)}")

    def __str__(self) -> str:
        lines: list = []
        self._text(0, lines)
        return "".join(line + "\n" for line in lines)

    __repr__ = __str__


def _text_scalar(f, v) -> str:
    if f.kind == "bytes":
        return f'"{escape_bytes(v)}"'
    if f.kind == "string":
        return f'"{escape_bytes(v.encode("utf-8"))}"'
    if f.kind == "float":
        return format_float32(v)
    if f.kind == "double":
        return format_double(v)
    if f.kind == "bool":
        return "true" if v else "false"
    if f.kind == "enum" and hasattr(f.cls, "name_of"):
        return f.cls.name_of(v)
    return str(v)


_FIXED = {"float": "<f", "double": "<d"}


def _write_scalars(kind, values, out):
    if kind == "float":
        out += np.asarray(values, dtype="<f4").tobytes()
    elif kind == "double":
        out += np.asarray(values, dtype="<f8").tobytes()
    else:
        for x in values:
            encode_varint(int(x), out)


def _write_value(f, v, out):
    kind = f.kind
    if kind in ("bytes", "string", "message"):
        if kind == "string":
            payload = v.encode("utf-8")
        elif kind == "message":
            buf = bytearray()
            v._write(buf)
            payload = buf
        else:
            payload = v
        encode_varint(f.number << 3 | 2, out)
        encode_varint(len(payload), out)
        out += payload
    elif kind == "float":
        encode_varint(f.number << 3 | 5, out)
        out += struct.pack("<f", v)
    elif kind == "double":
        encode_varint(f.number << 3 | 1, out)
        out += struct.pack("<d", v)
    else:
        encode_varint(f.number << 3, out)
        encode_varint(int(v), out)


def _read_packed(kind, value):
    if kind == "float":
        return np.frombuffer(bytes(value), dtype="<f4").astype(np.float64).tolist()
    if kind == "double":
        return np.frombuffer(bytes(value), dtype="<f8").tolist()
    out = []
    pos, n = 0, len(value)
    while pos < n:
        x, pos = decode_varint(value, pos)
        out.append(_varint_value(kind, x))
    return out


def _varint_value(kind, x):
    if kind in ("int64", "int32", "enum"):
        return signed64(x)
    if kind == "bool":
        return bool(x)
    return x


def _read_scalar(kind, wt, value):
    if kind == "bytes":
        return bytes(value)
    if kind == "string":
        return bytes(value).decode("utf-8")
    if kind == "float":
        return struct.unpack("<f", value)[0]
    if kind == "double":
        return struct.unpack("<d", value)[0]
    return _varint_value(kind, value)
