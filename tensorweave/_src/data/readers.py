"""File sources: `Dataset.list_files`, `TextLineDataset`, `TFRecordDataset`, `FixedLengthRecordDataset`,
`tf.data.experimental.CsvDataset` and `make_csv_dataset`.

Readers produce blocks of records (lists of bytes; io/tfrecord.py frames and CRC-checks TFRecord files
in bulk); each element is a string tensor. Batching a reader's dataset cuts batches off those blocks
and builds each with one conversion from bytes.
"""

from __future__ import annotations

import csv
import io as _io

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.data.dataset_ops import UNKNOWN, DatasetV2
from tensorweave._src.function.tensor_spec import TensorSpec

tf = PublicNamespace()


def _filenames(filenames) -> list:
    if isinstance(filenames, DatasetV2):
        return [f.numpy().decode() for f in filenames]
    if hasattr(filenames, "numpy"):
        filenames = filenames.numpy()
    arr = np.asarray(filenames, dtype=object).reshape(-1) if not isinstance(filenames, (str, bytes)) else \
        np.array([filenames], dtype=object)
    if arr.size == 0:
        raise ValueError("`filenames` must be a 1-D `tf.string` tensor of size at least 1.")
    return [f.decode() if isinstance(f, bytes) else str(f) for f in arr]


def _strings(values: list):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return tf.constant(arr, dtype=tf.string)


def _read_cycle(num_parallel_reads) -> int:
    """How many files are read in turn: None reads them one after another; AUTOTUNE is an interleave
    with AUTOTUNE parallel calls (structural.py picks its cycle length); otherwise that many."""
    from tensorweave._src.data.structural import _cycle_length

    if num_parallel_reads is None:
        return 1
    n = int(num_parallel_reads)
    if n == -1:
        return _cycle_length(None, None, -1)[0]
    if n <= 0:
        raise tf.errors.InvalidArgumentError(None, None, "`cycle_length` must be > 0")
    return n


class _RecordDataset(DatasetV2):
    """Base of datasets whose elements are records (bytes) of files: `_record_blocks(filename)` yields
    lists of them (or `_records(filename)` yields them one by one)."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        from tensorweave._src.io.tfrecord import compression_name

        self._files = _filenames(filenames)
        self._compression = compression_name(compression_type)
        self._cycle = _read_cycle(num_parallel_reads)
        self._element_spec = TensorSpec([], tf.string)

    def _record_blocks(self, filename):
        """Lists of records of one file; readers that find records in bulk override this."""
        block = []
        for r in self._records(filename):
            block.append(r)
            if len(block) == 1024:
                yield block
                block = []
        if block:
            yield block

    def _all_blocks(self):
        if self._cycle == 1 or len(self._files) == 1:
            for f in self._files:
                yield from self._record_blocks(f)
            return
        block: list = []
        try:
            for r in self._interleaved():
                block.append(r)
                if len(block) == 4096:
                    yield block
                    block = []
        except Exception:  # a bad file: the records before it first, as TF gives them
            if block:
                yield block
            raise
        if block:
            yield block

    def _file_records(self, filename):
        for block in self._record_blocks(filename):
            yield from block

    def _interleaved(self):
        """Records of `cycle` files at a time, one from each in turn (TF's order for num_parallel_reads:
        an interleave with block_length 1; an exhausted file's slot takes the next file)."""
        files = iter(self._files)
        slots: list = [None] * self._cycle
        idx, end = 0, False
        while True:
            current = slots[idx]
            if current is not None:
                r = next(current, None)
                if r is None:
                    slots[idx] = None
                else:
                    yield r
                idx = (idx + 1) % self._cycle
            elif not end:
                f = next(files, None)
                if f is None:
                    end = True
                else:
                    slots[idx] = self._file_records(f)
            elif all(s is None for s in slots):
                return
            else:
                idx = (idx + 1) % self._cycle

    def _iterate(self):
        constant = tf.constant
        for block in self._all_blocks():
            for r in block:
                yield constant(r, dtype=tf.string)

    def _batches(self, batch_size, drop_remainder):
        def gen():
            pending: list = []
            for block in self._all_blocks():
                pending += block
                while len(pending) >= batch_size:  # cut whole batches off the front
                    yield _strings(pending[:batch_size])
                    del pending[:batch_size]
            if pending and not drop_remainder:
                yield _strings(pending)
        return gen()

    def _cardinality(self) -> int:
        return UNKNOWN


@tf_export("data.TFRecordDataset")
class TFRecordDataset(_RecordDataset):
    """The records of TFRecord files (CRCs checked; "GZIP" / "ZLIB" compression)."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None,
                 name=None):
        super().__init__(filenames, compression_type, buffer_size, num_parallel_reads)

    def _record_blocks(self, filename):
        from tensorweave._src.io.tfrecord import iter_record_blocks

        return iter_record_blocks(filename, self._compression)

    def __repr__(self) -> str:
        return f"<TFRecordDatasetV2 element_spec={self.element_spec!r}>"


@tf_export("data.TextLineDataset")
class TextLineDataset(_RecordDataset):
    """The lines of text files (without their line ends)."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None,
                 name=None):
        super().__init__(filenames, compression_type, buffer_size, num_parallel_reads)

    def _record_blocks(self, filename):
        from tensorweave._src.io.tfrecord import read_file_bytes

        data = read_file_bytes(filename, self._compression)
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if b"\r" in data:
            lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
        for i in range(0, len(lines), 65536):
            yield lines[i:i + 65536]

    def __repr__(self) -> str:
        return f"<TextLineDatasetV2 element_spec={self.element_spec!r}>"


@tf_export("data.FixedLengthRecordDataset")
class FixedLengthRecordDataset(_RecordDataset):
    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None, buffer_size=None,
                 compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, buffer_size, num_parallel_reads)
        self._record = int(record_bytes)
        self._header = int(header_bytes or 0)
        self._footer = int(footer_bytes or 0)

    def _records(self, filename):
        from tensorweave._src.io.tfrecord import read_file_bytes

        data = read_file_bytes(filename, self._compression)
        body = data[self._header:len(data) - self._footer]
        for i in range(len(body) // self._record):
            yield body[i * self._record:(i + 1) * self._record]


def list_files(file_pattern, shuffle=None, seed=None):
    from tensorweave._src.io.file_io import match

    patterns = file_pattern.numpy() if hasattr(file_pattern, "numpy") else file_pattern
    patterns = [patterns] if isinstance(patterns, (str, bytes)) else list(np.asarray(patterns).reshape(-1))
    files = match(patterns)
    if not files:
        raise tf.errors.InvalidArgumentError(
            None, None,
            f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b'No "
                        f"files matched pattern: {', '.join(p.decode() if isinstance(p, bytes) else str(p) for p in patterns)}'")  # noqa: E501
    ds = DatasetV2.from_tensor_slices(_strings([f.encode() for f in files]))
    if shuffle is None or shuffle:
        ds = ds.shuffle(len(files), seed=seed)
    return ds


# ---- CSV ---------------------------------------------------------------------------------------------
def _csv_rows(filename, compression, field_delim, use_quote_delim, header):
    from tensorweave._src.io.tfrecord import read_file_bytes

    text = read_file_bytes(filename, compression).decode("utf-8")
    reader = csv.reader(_io.StringIO(text), delimiter=field_delim,
                        quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
    for i, row in enumerate(reader):
        if i == 0 and header:
            continue
        if not row:
            continue
        yield row


def _convert_field(value: str, dtype, default, where: str):
    if value == "":
        if default is None:
            raise tf.errors.InvalidArgumentError(None, None,
                                                 f"Field {where} is required but missing in record!")
        return default
    try:
        if dtype == tf.string:
            return value.encode("utf-8")
        if dtype.is_integer:
            return int(value)
        return float(value)
    except ValueError:
        raise tf.errors.InvalidArgumentError(None, None, f"Field {where} in record is not a valid "
                                                         f"{dtype.name}: {value}") from None


@tf_export("data.experimental.CsvDataset")
class CsvDataset(DatasetV2):
    """Rows of CSV files as tuples of scalars; `record_defaults` gives each column's dtype (a dtype: the
    column is required) or default value."""

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None, exclude_cols=None):
        from tensorweave._src.io.tfrecord import compression_name

        self._files = _filenames(filenames)
        self._compression = compression_name(compression_type)
        self._header = header
        self._delim = field_delim
        self._quote = use_quote_delim
        self._na = na_value
        self._select = list(select_cols) if select_cols is not None else None
        self._exclude = set(exclude_cols or ())
        self._types, self._defaults = [], []
        for d in record_defaults:
            if isinstance(d, (str, tf.DType)) and not isinstance(d, bytes) and _is_dtype(d):
                self._types.append(tf.as_dtype(d))
                self._defaults.append(None)
            else:
                t = tf.convert_to_tensor(d)
                if t.shape.rank == 1 and t.shape[0] == 0:
                    self._defaults.append(None)
                else:
                    v = np.asarray(t.numpy()).reshape(-1)[0]
                    self._defaults.append(v.item() if hasattr(v, "item") and t.dtype != tf.string else v)
                self._types.append(t.dtype)
        self._element_spec = tuple(TensorSpec([], t) for t in self._types)

    def _rows(self):
        for f in self._files:
            for row in _csv_rows(f, self._compression, self._delim, self._quote, self._header):
                if self._select is not None:
                    row = [row[i] for i in self._select]
                elif self._exclude:
                    row = [v for i, v in enumerate(row) if i not in self._exclude]
                if len(row) != len(self._types):
                    raise tf.errors.InvalidArgumentError(
                        None, None, f"Expect {len(self._types)} fields but have {len(row)} in record")
                yield [_convert_field("" if v == self._na else v, t, d, i)
                       for i, (v, t, d) in enumerate(zip(row, self._types, self._defaults))]

    def _iterate(self):
        for row in self._rows():
            yield tuple(tf.constant(v, dtype=t) for v, t in zip(row, self._types))

    def _batches(self, batch_size, drop_remainder):
        def gen():
            pending = []
            for row in self._rows():
                pending.append(row)
                if len(pending) == batch_size:
                    yield self._columns(pending)
                    pending = []
            if pending and not drop_remainder:
                yield self._columns(pending)
        return gen()

    def _columns(self, rows):
        out = []
        for col, t in zip(zip(*rows), self._types):
            out.append(_strings(list(col)) if t == tf.string else tf.constant(np.array(col,
                                                                                       t.as_numpy_dtype)))
        return tuple(out)

    def _cardinality(self) -> int:
        return UNKNOWN


def _is_dtype(d) -> bool:
    try:
        tf.as_dtype(d)
        return True
    except (TypeError, ValueError, KeyError):
        return False


@tf_export("data.experimental.make_csv_dataset")
def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False, encoding="utf-8"):
    """Batches of (features dict, label) from CSV files, column types inferred from the first rows."""
    from tensorweave._src.io.file_io import match
    from tensorweave._src.io.tfrecord import compression_name, read_file_bytes

    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    files = match(patterns)
    if not files:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    comp = compression_name(compression_type)
    first = list(_csv_rows(files[0], comp, field_delim, use_quote_delim, False))
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments to be provided.")
        column_names = first[0]
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Expected `column_names` to be unique.")
    sample = first[1 if header else 0:][:num_rows_for_inference]
    if select_columns is not None:
        idx = [c if isinstance(c, int) else column_names.index(c) for c in select_columns]
        column_names = [column_names[i] for i in idx]
        sample = [[r[i] for i in idx] for r in sample]
    else:
        idx = None
    if label_name is not None and label_name not in column_names:
        raise ValueError(f"`label_name` provided must be one of the columns: {column_names}. Received: "
                         f"{label_name}.")
    if column_defaults is None:
        column_defaults = [_infer_type([r[i] for r in sample if i < len(r)], na_value)
                           for i in range(len(column_names))]
    del read_file_bytes
    ds = CsvDataset(files, column_defaults, compression_type=comp, header=header, field_delim=field_delim,
                    use_quote_delim=use_quote_delim, na_value=na_value, select_cols=idx)
    names = column_names

    def to_dict(*cols):
        features = dict(zip(names, cols))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label

    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.batch(batch_size).map(to_dict)
    if ignore_errors:
        ds = ds.ignore_errors()
    return ds.prefetch(prefetch_buffer_size or -1)


def _infer_type(values, na_value):
    kinds = [tf.int32, tf.int64, tf.float32, tf.float64, tf.string]
    level = 0
    for v in values:
        if v == "" or v == na_value:
            continue
        while level < 4:
            t = kinds[level]
            try:
                if t == tf.int32:
                    if not -2**31 <= int(v) < 2**31:
                        raise ValueError
                elif t == tf.int64:
                    int(v)
                elif t == tf.float32:
                    f = float(v)
                    if abs(f) > 3.4e38 and f not in (float("inf"), float("-inf")):
                        raise ValueError
                else:
                    float(v)
                break
            except ValueError:
                level += 1
    t = kinds[level]
    return tf.constant(b"" if t == tf.string else 0, dtype=t) if t != tf.string else tf.constant("",
                                                                                                 tf.string)
