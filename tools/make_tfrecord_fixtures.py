"""Writes TFRecord files of tf.train.Examples with real TF (run under the oracle):

    ../shared/tools/tf-oracle tools/make_tfrecord_fixtures.py

tests/fixtures/tfrecord/oracle_examples{,.gz,.zlib}.tfrecord hold the same 5 Examples (plain, GZIP,
ZLIB); oracle_examples.json records what TF parses from them."""

import json
import os

import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures",
                   "tfrecord")
FEATURES = {"label": tf.io.FixedLenFeature([], tf.int64), "pixels": tf.io.FixedLenFeature([4], tf.float32),
            "name": tf.io.FixedLenFeature([], tf.string), "tags": tf.io.VarLenFeature(tf.string)}


def example(i):
    f = tf.train.Feature
    return tf.train.Example(features=tf.train.Features(feature={
        "label": f(int64_list=tf.train.Int64List(value=[i * 7 - 3])),
        "pixels": f(float_list=tf.train.FloatList(value=[i * 0.5, -1.25, 3.0e-3, 1e10])),
        "name": f(bytes_list=tf.train.BytesList(value=[f"ex{i}-é".encode()])),
        "tags": f(bytes_list=tf.train.BytesList(value=[b"t%d" % j for j in range(i % 3)])),
    }))


def main():
    os.makedirs(OUT, exist_ok=True)
    for suffix, comp in (("", None), (".gz", "GZIP"), (".zlib", "ZLIB")):
        with tf.io.TFRecordWriter(os.path.join(OUT, f"oracle_examples{suffix}.tfrecord"), options=comp) as w:
            for i in range(5):
                w.write(example(i).SerializeToString())
    ds = tf.data.TFRecordDataset(os.path.join(OUT, "oracle_examples.tfrecord")).batch(5).map(
        lambda s: tf.io.parse_example(s, FEATURES))
    parsed = next(iter(ds))
    out = {"label": parsed["label"].numpy().tolist(), "pixels": parsed["pixels"].numpy().tolist(),
           "name": [b.decode("utf-8") for b in parsed["name"].numpy()],
           "tags_indices": parsed["tags"].indices.numpy().tolist(),
           "tags_values": [b.decode() for b in parsed["tags"].values.numpy()],
           "tags_shape": parsed["tags"].dense_shape.numpy().tolist(),
           "text_0": str(example(0)), "serialized_1": list(example(1).SerializeToString())}
    with open(os.path.join(OUT, "oracle_examples.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
