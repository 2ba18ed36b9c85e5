"""Byte compatibility of TFRecord files written by tensorweave, checked in real TF.

    .venv/bin/python tools/tfrecord_roundtrip.py write              # tensorweave writes the files
    ../shared/tools/tf-oracle tools/tfrecord_roundtrip.py read      # TF reads them, records the result

Writes tests/fixtures/tfrecord/tensorweave_examples{,.gz,.zlib}.tfrecord, then
tests/fixtures/tfrecord/tensorweave_examples.json: their sha256 and what TF parsed from each
(tests/io/test_tfrecord_compat.py checks tensorweave still writes exactly those bytes)."""

import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "tfrecord")
FILES = (("tensorweave_examples.tfrecord", None), ("tensorweave_examples.gz.tfrecord", "GZIP"),
         ("tensorweave_examples.zlib.tfrecord", "ZLIB"))


def examples(tf):
    out = []
    for i in range(6):
        f = tf.train.Feature
        out.append(tf.train.Example(features=tf.train.Features(feature={
            "id": f(int64_list=tf.train.Int64List(value=[i, -i * 1000000007])),
            "x": f(float_list=tf.train.FloatList(value=[i / 3.0] * (i + 1))),
            "s": f(bytes_list=tf.train.BytesList(value=[b"\x00\xff" * i, "ü".encode()])),
        })).SerializeToString())
    out.append(b"")            # an empty record
    out.append(b"\x01" * 5000)  # a long record that is not an Example
    return out


def write(files=FILES):
    import tensorweave as tf

    for name, comp in files:
        with tf.io.TFRecordWriter(os.path.join(OUT, name), tf.io.TFRecordOptions(comp)) as w:
            for r in examples(tf):
                w.write(r)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read():
    import tensorflow as tf

    spec = {"id": tf.io.FixedLenFeature([2], tf.int64), "x": tf.io.VarLenFeature(tf.float32),
            "s": tf.io.FixedLenFeature([2], tf.string)}
    result = {}
    for name, comp in FILES:
        path = os.path.join(OUT, name)
        records = [r.numpy() for r in tf.data.TFRecordDataset(path, compression_type=comp)]
        parsed = [tf.io.parse_single_example(r, spec) for r in records[:6]]
        result[name] = {
            "sha256": sha(path), "num_records": len(records),
            "records_sha256": [hashlib.sha256(r).hexdigest() for r in records],
            "ids": [p["id"].numpy().tolist() for p in parsed],
            "x": [p["x"].values.numpy().tolist() for p in parsed],
            "s": [[b.hex() for b in p["s"].numpy()] for p in parsed],
            "tf_version": tf.__version__,
        }
    with open(os.path.join(OUT, "tensorweave_examples.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("recorded", list(result))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]]()
