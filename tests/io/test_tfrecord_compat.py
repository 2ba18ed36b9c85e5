"""TFRecord byte compatibility with TF, both ways.

- Files written by real TF (tools/make_tfrecord_fixtures.py, plain/GZIP/ZLIB) read and parse here to
  what TF parsed from them.
- Files tensorweave writes (tools/tfrecord_roundtrip.py) were read by TF, which recorded their sha256
  and parsed values: tensorweave must still write exactly those bytes.
"""

import hashlib
import json
import os
import tempfile

import numpy as np
import pytest

import tensorweave as tf

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tfrecord")
FEATURES = {"label": tf.io.FixedLenFeature([], tf.int64), "pixels": tf.io.FixedLenFeature([4], tf.float32),
            "name": tf.io.FixedLenFeature([], tf.string), "tags": tf.io.VarLenFeature(tf.string)}


def _load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("suffix,comp", [("", None), (".gz", "GZIP"), (".zlib", "ZLIB")])
def test_read_oracle_file(suffix, comp):
    expected = _load("oracle_examples.json")
    path = os.path.join(HERE, f"oracle_examples{suffix}.tfrecord")
    ds = tf.data.TFRecordDataset(path, compression_type=comp).batch(5).map(
        lambda s: tf.io.parse_example(s, FEATURES))
    parsed = next(iter(ds))
    assert parsed["label"].numpy().tolist() == expected["label"]
    np.testing.assert_array_equal(parsed["pixels"].numpy(), np.array(expected["pixels"], np.float32))
    assert [b.decode() for b in parsed["name"].numpy()] == expected["name"]
    assert parsed["tags"].indices.numpy().tolist() == expected["tags_indices"]
    assert [b.decode() for b in parsed["tags"].values.numpy()] == expected["tags_values"]
    assert parsed["tags"].dense_shape.numpy().tolist() == expected["tags_shape"]


def test_oracle_example_text_and_bytes():
    expected = _load("oracle_examples.json")
    records = [r.numpy() for r in tf.data.TFRecordDataset(os.path.join(HERE, "oracle_examples.tfrecord"))]
    assert str(tf.train.Example.FromString(records[0])) == expected["text_0"]
    oracle_bytes = bytes(expected["serialized_1"])
    assert tf.train.Example.FromString(oracle_bytes) == tf.train.Example.FromString(records[1])


def test_tensorweave_written_files_are_what_tf_read():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "tfrecord_roundtrip", os.path.join(os.path.dirname(HERE), "..", "..", "tools", "tfrecord_roundtrip.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorded = _load("tensorweave_examples.json")
    d = tempfile.mkdtemp()
    module.OUT = d
    module.write()
    records = module.examples(tf)
    for name, _comp in module.FILES:
        info = recorded[name]
        assert info["num_records"] == len(records)
        assert info["records_sha256"] == [hashlib.sha256(r).hexdigest() for r in records]
        if name.endswith(".gz.tfrecord"):
            continue  # gzip headers carry the OS byte of the writer; content is checked above
        with open(os.path.join(d, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == info["sha256"], name
    assert recorded["tensorweave_examples.tfrecord"]["ids"][2] == [2, -2000000014]


def test_corrupted_file_names_file_and_offset(tmp_path):
    path = str(tmp_path / "x.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(b"hello")
        w.write(b"world!!")
    data = bytearray(open(path, "rb").read())
    data[35] ^= 1
    open(path, "wb").write(bytes(data))
    it = iter(tf.data.TFRecordDataset(path))
    assert next(it).numpy() == b"hello"
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted record at 33 in file .*x\.tfrecord"):
        next(it)


def test_many_records_crc_batches(tmp_path):
    path = str(tmp_path / "many.tfrecord")
    rng = np.random.default_rng(0)
    records = [rng.bytes(int(n)) for n in rng.integers(0, 3000, 2500)]
    with tf.io.TFRecordWriter(path) as w:
        for r in records:
            w.write(r)
    assert [r.numpy() for r in tf.data.TFRecordDataset(path)] == records
    data = bytearray(open(path, "rb").read())
    data[-3] ^= 0x40  # last record's data CRC
    open(path, "wb").write(bytes(data))
    out = []
    with pytest.raises(tf.errors.DataLossError):
        for r in tf.data.TFRecordDataset(path):
            out.append(r.numpy())
    assert out == records[:-1]


def test_crc32c_known_values():
    from tensorweave._src.io import crc32c

    assert crc32c.crc32c_py(b"123456789") == 0xE3069283
    items = [bytes(range(256)) * k for k in range(5)] + [b"a", b"abcd", b"x" * 63, b"y" * 65]
    assert crc32c.crc32c_many(items).tolist() == [crc32c.crc32c_py(x) for x in items]
