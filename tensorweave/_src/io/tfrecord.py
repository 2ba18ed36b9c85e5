"""TFRecord files: `tf.io.TFRecordWriter`, `tf.io.TFRecordOptions` and the record reader behind
`tf.data.TFRecordDataset`.

Framing, per record: uint64 length (little endian), uint32 masked CRC32C of the length bytes, the data,
uint32 masked CRC32C of the data. GZIP/ZLIB files are the whole framed stream compressed.

>>> import os, tempfile, tensorweave as tf
>>> path = os.path.join(tempfile.mkdtemp(), "x.tfrecord")
>>> with tf.io.TFRecordWriter(path) as w:
...     w.write(b"hello")
>>> [r.numpy() for r in tf.data.TFRecordDataset(path)]
[b'hello']
"""

from __future__ import annotations

import gzip
import struct
import zlib

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.io import crc32c

tf = PublicNamespace()

_COMPRESSION = {None: "", "": "", "NONE": "", "GZIP": "GZIP", "ZLIB": "ZLIB"}


@tf_export("io.TFRecordOptions")
class TFRecordOptions:
    """Options of TFRecord files: `compression_type` is "", "GZIP" or "ZLIB"."""

    compression_type_map = {0: "", 1: "ZLIB", 2: "GZIP"}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None, compression_method=None,
                 mem_level=None, compression_strategy=None):
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, int):
            return cls.compression_type_map[options]
        return compression_name(options)


def compression_name(value) -> str:
    if isinstance(value, TFRecordOptions):
        value = value.compression_type
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, int):
        return TFRecordOptions.compression_type_map[value]
    try:
        return _COMPRESSION[value]
    except KeyError:
        raise ValueError(f'Unsupported compression_type: {value}. Supported types are "", "ZLIB", or '
                         f'"GZIP"') from None


def frame(records: list) -> bytes:
    """The framed bytes of `records` (a list of bytes), CRCs computed in one batch."""
    if not records:
        return b""
    headers = [struct.pack("<Q", len(r)) for r in records]
    hcrc = crc32c.mask(crc32c.crc32c_many(headers))
    dcrc = crc32c.mask(crc32c.crc32c_many(records))
    parts = []
    for h, r, a, b in zip(headers, records, hcrc.tolist(), dcrc.tolist()):
        parts += [h, struct.pack("<I", a), r, struct.pack("<I", b)]
    return b"".join(parts)


@tf_export("io.TFRecordWriter")
class TFRecordWriter:
    """Writes records to a TFRecord file (records are buffered and framed in batches)."""

    _BUFFER_RECORDS = 4096

    def __init__(self, path, options=None):
        if hasattr(path, "numpy"):
            path = path.numpy().decode()
        self._path = str(path)
        kind = compression_name(options)
        level = getattr(options, "compression_level", None)
        level = 6 if level in (None, -1) else level
        try:
            raw = open(self._path, "wb")
        except OSError as e:
            raise tf.errors.NotFoundError(None, None, f"{self._path}; {e.strerror}") from None
        self._raw = raw
        if kind == "GZIP":
            self._file = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0)
        elif kind == "ZLIB":
            self._file = _ZlibWriter(raw, level)
        else:
            self._file = raw
        self._pending: list = []
        self._pending_bytes = 0

    def write(self, record):
        if self._file is None:
            raise tf.errors.FailedPreconditionError(None, None, "Writer is closed.")
        if hasattr(record, "numpy"):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode("utf-8")
        if not isinstance(record, (bytes, bytearray, memoryview)):
            raise TypeError(f"write(): incompatible function arguments; got {type(record).__name__}")
        record = bytes(record)
        self._pending.append(record)
        self._pending_bytes += len(record)
        if len(self._pending) >= self._BUFFER_RECORDS or self._pending_bytes > (16 << 20):
            self._drain()

    def _drain(self):
        if self._pending:
            self._file.write(frame(self._pending))
            self._pending = []
            self._pending_bytes = 0

    def flush(self):
        if self._file is None:
            raise tf.errors.FailedPreconditionError(None, None, "Writer is closed.")
        self._drain()
        self._file.flush()

    def close(self):
        if self._file is None:
            return
        self._drain()
        if self._file is not self._raw:
            self._file.close()
        self._raw.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _ZlibWriter:
    def __init__(self, raw, level):
        self._raw = raw
        self._z = zlib.compressobj(level)

    def write(self, data):
        self._raw.write(self._z.compress(data))

    def flush(self):
        self._raw.write(self._z.flush(zlib.Z_SYNC_FLUSH))

    def close(self):
        self._raw.write(self._z.flush())


def read_file_bytes(filename: str, compression: str = "") -> bytes:
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise tf.errors.NotFoundError(None, None, f"{filename}; No such file or directory") from None
    except IsADirectoryError:
        raise tf.errors.FailedPreconditionError(None, None, f"{filename}; Is a directory") from None
    if compression == "GZIP":
        try:
            return zlib.decompress(data, 16 + zlib.MAX_WBITS) if data else b""
        except zlib.error as e:
            raise tf.errors.DataLossError(None, None, f"{filename}: corrupted gzip data ({e})") from None
    if compression == "ZLIB":
        try:
            return zlib.decompressobj().decompress(data) if data else b""
        except zlib.error as e:
            raise tf.errors.DataLossError(None, None, f"{filename}: corrupted zlib data ({e})") from None
    return data


def iter_records(filename: str, compression: str = "", block: int = 1024):
    """Yields the records of a TFRecord file as bytes, checking both CRCs (in batches of `block`).
    Corruption raises DataLossError naming the file and the offset, after the good records before it."""
    data = read_file_bytes(filename, compression)
    n = len(data)
    pos = 0
    unpack = struct.unpack_from
    while pos < n:
        offsets, headers, hcrcs, records, dcrcs = [], [], [], [], []
        problem = None
        while pos < n and len(records) < block:
            if pos + 12 > n:
                problem = ("truncated", pos)
                break
            (length,) = unpack("<Q", data, pos)
            end = pos + 12 + length + 4
            if end > n:
                # a bad length field reads as truncation unless its CRC says it is corrupt
                if crc32c.masked_crc(data[pos:pos + 8]) != unpack("<I", data, pos + 8)[0]:
                    problem = ("corrupted", pos)
                else:
                    problem = ("truncated", pos)
                break
            offsets.append(pos)
            headers.append(data[pos:pos + 8])
            hcrcs.append(unpack("<I", data, pos + 8)[0])
            records.append(data[pos + 12:pos + 12 + length])
            dcrcs.append(unpack("<I", data, end - 4)[0])
            pos = end
        if records:
            bad_h = crc32c.mask(crc32c.crc32c_many(headers)) != np.array(hcrcs, dtype=np.uint64)
            bad_d = crc32c.mask(crc32c.crc32c_many(records)) != np.array(dcrcs, dtype=np.uint64)
            bad = np.nonzero(bad_h | bad_d)[0]
            if len(bad):
                i = int(bad[0])
                yield from records[:i]
                at = offsets[i] if bad_h[i] else offsets[i] + 12
                hint = " (Is this even a TFRecord file?)" if at == 0 else ""
                raise tf.errors.DataLossError(None, None,
                                              f"corrupted record at {at}{hint} in file {filename}")
            yield from records
        if problem is not None:
            kind, at = problem
            hint = " (Is this even a TFRecord file?)" if kind == "corrupted" and at == 0 else ""
            raise tf.errors.DataLossError(None, None, f"{kind} record at {at}{hint} in file {filename}")
