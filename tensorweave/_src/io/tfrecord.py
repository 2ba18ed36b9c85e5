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

import concurrent.futures
import gzip
import os
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


def iter_records(filename: str, compression: str = ""):
    """Yields the records of a TFRecord file as bytes (see `iter_record_blocks`)."""
    for block in iter_record_blocks(filename, compression):
        yield from block


BLOCK_RECORDS = 65536
BLOCK_BYTES = (4 << 20, 16 << 20)  # the first block's size, doubling up to the second
_CHECKER: list = []  # one background thread for CRC checks


def _checker() -> concurrent.futures.ThreadPoolExecutor:
    if not _CHECKER:
        _CHECKER.append(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tw_tfrecord_crc"))
    return _CHECKER[0]


if hasattr(os, "register_at_fork"):  # a forked child has no thread behind the parent's executor
    os.register_at_fork(after_in_child=_CHECKER.clear)


def iter_record_blocks(filename: str, compression: str = ""):
    """Yields lists of the records (bytes) of a TFRecord file, both CRCs checked a block at a time.
    The next block is checked in a background thread while the current one is consumed (numpy releases
    the GIL); blocks are MBs (the 16-bit CRC tables pay off from 2 MB) and grow. Corruption raises
    DataLossError naming the file and the offset, right after the good records before it, as TF's
    reader does."""
    data = read_file_bytes(filename, compression)
    view = np.frombuffer(data, dtype=np.uint8)
    size, largest = BLOCK_BYTES
    block = _next_block(data, view, 0, size)
    while block is not None:
        records, check, problem, pos = block
        size = min(2 * size, largest)
        # start checking the following block before waiting for this one
        block = _next_block(data, view, pos, size) if problem is None and pos < len(data) else None
        bad = check.result() if check is not None else None
        if bad is not None:
            i, at = bad
            if i:
                yield records[:i]
            raise _data_loss("corrupted", at, filename)
        if records:
            yield records
        if problem is not None:
            raise _data_loss(*problem, filename)


def _next_block(data: bytes, view: np.ndarray, pos: int, size: int):
    """(records, future of their CRC check, problem, next position) of the block at `pos`."""
    offsets, lengths, problem = _scan(data, view, pos, BLOCK_RECORDS, size)
    if not len(offsets):
        return [], None, problem, pos
    records = _slices(data, offsets, lengths)
    check = _checker().submit(_first_bad, view, offsets, lengths, records)
    return records, check, problem, int(offsets[-1] + lengths[-1]) + 16


def _data_loss(kind: str, at: int, filename: str):
    hint = " (Is this even a TFRecord file?)" if kind == "corrupted" and at == 0 else ""
    return tf.errors.DataLossError(None, None, f"{kind} record at {at}{hint} in file {filename}")


def _slices(data: bytes, offsets: np.ndarray, lengths: np.ndarray) -> list:
    if lengths[0] == lengths[-1] and (len(lengths) < 3 or (lengths == lengths[0]).all()):
        n = int(lengths[0])  # one length: records sit at a fixed stride
        return [data[o:o + n] for o in range(int(offsets[0]) + 12, int(offsets[-1]) + 13, n + 16)]
    return [data[o + 12:o + 12 + n] for o, n in zip(offsets.tolist(), lengths.tolist())]


def _scan(data: bytes, view: np.ndarray, pos: int, limit: int, limit_bytes: int):
    """(offsets, lengths, problem) of up to `limit` complete records (about `limit_bytes`) from `pos`;
    problem is ("truncated" | "corrupted", offset) when the file ends inside a record. Runs of same-length
    records are found with one numpy check; other records one by one."""
    n = len(data)
    start = pos
    runs: list = []  # arrays of offsets and lengths, in file order
    offs: list = []  # records read one by one since the last run
    lens: list = []
    count = 0
    slow = 0  # records left to read one by one after a failed run (files of varying lengths)
    backoff = 32  # doubles while runs keep failing
    problem = None
    while pos < n and count < limit and pos - start < limit_bytes:
        run = None if slow else _uniform_run(view, pos, limit - count, limit_bytes - (pos - start))
        if run is not None:
            o, length = run
            runs += [(np.array(offs, np.int64), np.array(lens, np.int64)),
                     (o, np.full(len(o), length, dtype=np.int64))]
            offs, lens = [], []
            count += len(o)
            pos = int(o[-1]) + length + 16
            backoff = 32
            continue
        if slow:
            slow -= 1
        else:
            slow, backoff = backoff - 1, min(2 * backoff, 4096)
        if pos + 12 > n:
            problem = ("truncated", pos)
            break
        (length,) = struct.unpack_from("<Q", data, pos)
        if pos + 16 + length > n:
            # a bad length field reads as truncation unless its CRC says it is corrupt
            bad = crc32c.masked_crc(data[pos:pos + 8]) != struct.unpack_from("<I", data, pos + 8)[0]
            problem = ("corrupted" if bad else "truncated", pos)
            break
        offs.append(pos)
        lens.append(length)
        count += 1
        pos += 16 + length
    runs.append((np.array(offs, np.int64), np.array(lens, np.int64)))
    return np.concatenate([o for o, _ in runs]), np.concatenate([k for _, k in runs]), problem


def _uniform_run(view: np.ndarray, pos: int, limit: int, limit_bytes: int):
    """(offsets, length) of the complete records from `pos` that all have the first one's length (at
    least 2 of them), or None. A few are probed first, so files of varying lengths cost little."""
    n = len(view)
    if pos + 12 > n:
        return None
    length = int(view[pos:pos + 8].view("<u8")[0])
    stride = length + 16
    m = min(limit, (n - pos) // stride, max(2, limit_bytes // stride))
    if m < 2:
        return None
    for k in (min(m, 16), m):
        offsets = pos + stride * np.arange(k, dtype=np.int64)
        same = _u64_at(view, offsets) == length
        if not same.all():
            run = int(np.argmin(same))
            return (offsets[:run], length) if run >= 2 else None
    return offsets, length


def _u64_at(view: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return view[offsets[:, None] + np.arange(8)].view("<u8").reshape(-1)


def _u32_at(view: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return view[offsets[:, None] + np.arange(4)].view("<u4").reshape(-1).astype(np.uint64)


def _first_bad(view: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, records: list):
    """(index, offset) of the first record whose length or data CRC does not match, or None."""
    uniq, inverse = np.unique(lengths, return_inverse=True)
    header_crc = crc32c.mask(crc32c.crc32c_many([struct.pack("<Q", int(x)) for x in uniq]))
    bad_h = header_crc[inverse.reshape(-1)] != _u32_at(view, offsets + 8)
    if len(uniq) == 1:  # records of one length sit at a fixed stride: check them in place
        length = int(uniq[0])
        rows = np.lib.stride_tricks.as_strided(view[int(offsets[0]) + 12:], shape=(len(offsets), length),
                                               strides=(length + 16, 1), writeable=False)
        data_crc = crc32c.crc32c_rows(rows)
    else:
        data_crc = crc32c.crc32c_many(records)
    bad_d = crc32c.mask(data_crc) != _u32_at(view, offsets + 12 + lengths)
    bad = np.nonzero(bad_h | bad_d)[0]
    if not len(bad):
        return None
    i = int(bad[0])
    return i, int(offsets[i]) if bad_h[i] else int(offsets[i]) + 12
