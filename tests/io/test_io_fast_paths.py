"""The bulk paths of TFRecord reading and Example parsing give exactly what the record-by-record paths
give: values, and errors (class, message, and which records came before them). TF's own outcomes for
these cases are pinned by the io_example fixtures; here the fast paths are checked against the slow
ones on many more inputs."""

import os
import struct
import tempfile

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.io import crc32c, example_batch, tfrecord


# ---- CRC32C ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 63, 64, 65, 200, 812])
def test_crc32c_rows_matches_bytewise(length):
    rows = np.random.default_rng(length).integers(0, 256, (37, length), dtype=np.uint8)
    assert crc32c.crc32c_rows(rows).tolist() == [crc32c.crc32c_py(r.tobytes()) for r in rows]


def test_crc32c_rows_strided_view():
    data = np.random.default_rng(0).integers(0, 256, 100 * 50, dtype=np.uint8)
    rows = np.lib.stride_tricks.as_strided(data[3:], shape=(99, 40), strides=(50, 1))
    assert crc32c.crc32c_rows(rows).tolist() == [crc32c.crc32c_py(r.tobytes()) for r in rows]


def test_crc32c_16bit_tables_path():
    chunks = np.random.default_rng(1).integers(0, 256, (crc32c._BIG + 5, 64), dtype=np.uint8)
    raw = crc32c.chunk_crcs(chunks)  # raw = zero init, no final xor
    for i in (0, 1, len(chunks) // 2, len(chunks) - 1):
        assert int(raw[i]) == crc32c.crc32c_py(chunks[i].tobytes(), 0xFFFFFFFF) ^ 0xFFFFFFFF


def test_crc32c_many_mixed_lengths():
    rng = np.random.default_rng(2)
    items = [rng.integers(0, 256, int(n), dtype=np.uint8).tobytes() for n in rng.integers(0, 300, 500)]
    assert crc32c.crc32c_many(items).tolist() == [crc32c.crc32c_py(x) for x in items]
    assert crc32c.crc32c_py(b"123456789") == 0xE3069283


# ---- TFRecord reader -------------------------------------------------------------------------------
def _reference_read(path):
    """Record-by-record reader (the format's definition): (records, error message or None)."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        if pos + 12 > len(data):
            return out, f"truncated record at {pos}"
        (n,) = struct.unpack_from("<Q", data, pos)
        header_ok = crc32c.masked_crc(data[pos:pos + 8]) == struct.unpack_from("<I", data, pos + 8)[0]
        if pos + 16 + n > len(data):
            return out, f"{'truncated' if header_ok else 'corrupted'} record at {pos}"
        if not header_ok:
            return out, f"corrupted record at {pos}"
        record = data[pos + 12:pos + 12 + n]
        if crc32c.masked_crc(record) != struct.unpack_from("<I", data, pos + 12 + n)[0]:
            return out, f"corrupted record at {pos + 12}"
        out.append(record)
        pos += 16 + n
    return out, None


def _read(path):
    out = []
    try:
        for r in tf.data.TFRecordDataset(path):
            out.append(r.numpy())
    except tf.errors.DataLossError as e:
        assert str(e).endswith(f" in file {path}") or " (Is this even" in str(e)
        return out, str(e).split(" in file")[0].split(" (Is this")[0]
    return out, None


def _write(records):
    path = os.path.join(tempfile.mkdtemp(), "x.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        for r in records:
            w.write(r)
    return path


@pytest.fixture(params=[None, 700], ids=["one_block", "small_blocks"])
def block_bytes(request, monkeypatch):
    if request.param:  # many blocks: each checked in the background while the previous one is read
        monkeypatch.setattr(tfrecord, "BLOCK_BYTES", (request.param, 4 * request.param))
    return request.param


@pytest.mark.parametrize("seed", range(12))
def test_reader_matches_reference_on_damaged_files(seed, block_bytes):
    rng = np.random.default_rng(seed)
    lengths = [20] * 300 if seed % 3 == 0 else [int(x) for x in rng.choice([0, 3, 20, 21, 100], 300)]
    if seed % 3 == 1:
        lengths[100:200] = [20] * 100  # a same-length run inside a varying file
    path = _write([rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in lengths])
    data = bytearray(open(path, "rb").read())
    damage = seed % 4
    if damage == 1:
        data[int(rng.integers(0, len(data)))] ^= 1 << int(rng.integers(0, 8))
    elif damage == 2:
        del data[int(rng.integers(len(data) // 2, len(data))):]
    elif damage == 3:
        at = int(rng.integers(0, len(data) - 8))
        data[at:at + 8] = struct.pack("<Q", 7)
    open(path, "wb").write(bytes(data))
    assert _read(path) == _reference_read(path)


def test_reader_stops_early_and_rereads(block_bytes):
    path = _write([b"%04d" % i for i in range(500)])
    ds = tf.data.TFRecordDataset(path)
    assert [r.numpy() for r in ds.take(3)] == [b"0000", b"0001", b"0002"]
    assert len(list(ds)) == 500


def test_reader_batches_across_blocks(block_bytes):
    path = _write([b"%04d" % i for i in range(1000)])
    batches = [b.numpy().tolist() for b in tf.data.TFRecordDataset([path, path]).batch(300)]
    assert [len(b) for b in batches] == [300] * 6 + [200]
    assert batches[3][:2] == [b"0900", b"0901"] and batches[3][100] == b"0000"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_reader_in_forked_child():
    import time

    path = _write([b"%04d" % i for i in range(10)])
    assert len(list(tf.data.TFRecordDataset(path))) == 10  # the parent's CRC thread now exists
    pid = os.fork()
    if pid == 0:  # the child must not wait on the parent's (absent) thread
        try:
            os._exit(0 if len(list(tf.data.TFRecordDataset(path))) == 10 else 1)
        except BaseException:  # noqa: BLE001
            os._exit(2)
    deadline = time.time() + 60
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.WEXITSTATUS(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("reading in a forked child hung")


# ---- parse_example over batches ------------------------------------------------------------------
def _example(image, labels, floats=None, extra=None):
    feature = {"image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[image])),
               "label": tf.train.Feature(int64_list=tf.train.Int64List(value=labels))}
    if floats is not None:
        feature["f"] = tf.train.Feature(float_list=tf.train.FloatList(value=floats))
    if extra is not None:
        feature["extra"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[extra]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


SPECS = [
    {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([2], tf.int64),
     "f": tf.io.FixedLenFeature([3], tf.float32, default_value=[1., 2., 3.])},
    {"label": tf.io.FixedLenFeature([2], tf.int64)},
    {"image": tf.io.FixedLenFeature([], tf.string, default_value="none")},
    {"f": tf.io.FixedLenFeature([3], tf.float32)},
    {"label": tf.io.VarLenFeature(tf.int64), "image": tf.io.FixedLenFeature([], tf.string)},
]


def _outcome(records, spec):
    try:
        out = tf.io.parse_example(tf.constant(np.array(records, dtype=object)), spec)
    except Exception as e:  # noqa: BLE001 - compared between the paths
        return type(e).__name__, str(e)
    return {k: (v.numpy().tolist() if not isinstance(v, tf.sparse.SparseTensor)
                else (v.indices.numpy().tolist(), v.values.numpy().tolist())) for k, v in out.items()}


def _both(records, spec, monkeypatch):
    fast = _outcome(records, spec)
    with monkeypatch.context() as m:
        m.setattr(example_batch, "MIN_BATCH", 10 ** 9)
        slow = _outcome(records, spec)
    assert fast == slow
    return fast


def _random_record(rng):
    image = rng.integers(0, 256, int(rng.choice([4, 4, 4, 5, 0])), dtype=np.uint8).tobytes()
    labels = [int(x) for x in rng.choice([0, 1, 127, 128, 300, -1, 2 ** 62, -2 ** 63],
                                         size=int(rng.choice([2, 2, 2, 1])))]
    floats = None if rng.random() < 0.3 else [float(x) for x in rng.normal(size=int(rng.choice([3, 3, 2])))]
    record = bytearray(_example(image, labels, floats, None if rng.random() < 0.7 else b"zz"))
    if rng.random() < 0.1:  # damage: flip, drop or insert a byte
        i = int(rng.integers(0, len(record)))
        kind = rng.integers(0, 3)
        if kind == 0:
            record[i] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1:
            del record[i]
        else:
            record.insert(i, int(rng.integers(0, 256)))
    return bytes(record)


@pytest.mark.parametrize("seed", range(40))
def test_parse_example_fast_path_matches_general(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    records = [_random_record(rng) for _ in range(int(rng.integers(4, 24)))]
    for spec in SPECS:
        _both(records, spec, monkeypatch)


def test_parse_example_one_layout(monkeypatch):
    records = [_example(bytes([i, 0, 255, i]), [i, -i], [i / 3, -0.0, np.inf]) for i in range(50)]
    out = _both(records, SPECS[0], monkeypatch)
    assert out["label"][7] == [7, -7] and out["image"][3] == b"\x03\x00\xff\x03"


def test_parse_example_mixed_layouts(monkeypatch):
    # varint widths, image lengths and an extra feature change the layout from record to record
    records = [_example(b"ab" * (i % 3), [i * 100, 1 << (6 * (i % 10))], [1., 2., 3.],
                        b"x" if i % 4 == 0 else None) for i in range(40)]
    out = _both(records, SPECS[0], monkeypatch)
    assert out["label"][39] == [3900, 1 << 54]


@pytest.mark.parametrize("bad", ["truncated", "wrong_size", "missing", "wrong_type"])
def test_parse_example_bad_record_in_uniform_batch(bad, monkeypatch):
    records = [_example(b"abcd", [1, 2], [1., 2., 3.]) for _ in range(20)]
    records[13] = {"truncated": records[13][:-2], "wrong_size": _example(b"abcd", [1], [1., 2., 3.]),
                   "missing": tf.train.Example().SerializeToString(),
                   "wrong_type": _example(b"abcd", [1, 2], [1., 2.])}[bad]
    outcome = _both(records, {**SPECS[0], "f": tf.io.FixedLenFeature([3], tf.float32)}, monkeypatch)
    assert outcome[0] == "InvalidArgumentError"
    if bad != "truncated":
        assert "Index: 13" in outcome[1] or "is required" in outcome[1]


def test_parse_example_layouts_cached_across_batches(monkeypatch):
    a = [_example(b"abcd", [1, 2], [1., 2., 3.]) for _ in range(8)]
    b = [_example(b"abcdef", [300, 2], [1., 2., 3.], b"q") for _ in range(8)]
    for records in (a, b, a, a + b, b + a):
        _both(records, SPECS[0], monkeypatch)


def test_parse_example_fused_in_dataset_map():
    records = [_example(bytes([i % 256]) * 4, [i, i + 1], [1., 2., 3.]) for i in range(300)]
    path = _write(records)
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([2], tf.int64)}

    def one(s):
        f = tf.io.parse_single_example(s, spec)
        return tf.io.decode_raw(f["image"], tf.uint8), f["label"]
    batches = list(tf.data.TFRecordDataset(path).map(one).batch(128))
    images = np.concatenate([b[0].numpy() for b in batches])
    assert images.shape == (300, 4) and images[257].tolist() == [1, 1, 1, 1]
    assert batches[2][1].numpy()[-1].tolist() == [299, 300]
