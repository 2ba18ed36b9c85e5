"""tf.data workloads (issue 6): the seeds' MNIST input pipeline and TFRecord read+parse pipelines.
Standard library only (the TF child imports it too); workloads.py appends DATA_WORKLOADS."""

from __future__ import annotations

_MNIST_TF = """
rng = np.random.default_rng(0)
x_train = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)
y_train = rng.integers(0, 10, 60000).astype(np.uint8)

def preprocess(x, y):  # seed 004
    x = tf.cast(x, dtype=tf.float32) / 255.
    x = tf.reshape(x, [-1, 28 * 28])
    y = tf.cast(y, dtype=tf.int32)
    y = tf.one_hot(y, depth=10)
    return x, y

ds = tf.data.Dataset.from_tensor_slices((x_train, y_train))
ds = ds.map(preprocess).shuffle(10000).batch(128).prefetch(tf.data.AUTOTUNE)

def epoch():
    n = 0
    total = 0.0
    for bx, by in ds:
        n += 1
    return n
"""

_MNIST_TORCH = """
rng = np.random.default_rng(0)
x_train = torch.from_numpy(rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8))
y_train = torch.from_numpy(rng.integers(0, 10, 60000).astype(np.uint8))

def epoch():  # the floor: one permutation, one gather and the preprocessing per batch
    perm = torch.randperm(60000)
    n = 0
    for i in range(0, 60000, 128):
        idx = perm[i:i + 128]
        bx = (x_train[idx].float() / 255.).reshape(-1, 1, 784)
        by = torch.nn.functional.one_hot(y_train[idx].long(), 10).float()
        n += 1
    return n
"""

_TFRECORD_TF = """
import os, tempfile
rng = np.random.default_rng(0)
path = os.path.join(tempfile.mkdtemp(), "mnist.tfrecord")
images = rng.integers(0, 256, (10000, 784), dtype=np.uint8)
labels = rng.integers(0, 10, 10000)
with tf.io.TFRecordWriter(path) as w:
    for img, lab in zip(images, labels):
        ex = tf.train.Example(features=tf.train.Features(feature={
            "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img.tobytes()])),
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(lab)])),
        }))
        w.write(ex.SerializeToString())
spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

def parse_batch(s):
    f = tf.io.parse_example(s, spec)
    img = tf.cast(tf.io.decode_raw(f["image"], tf.uint8), tf.float32) / 255.
    return img, f["label"]

def parse_one(s):
    f = tf.io.parse_single_example(s, spec)
    img = tf.cast(tf.io.decode_raw(f["image"], tf.uint8), tf.float32) / 255.
    return img, f["label"]

batched = tf.data.TFRecordDataset(path).batch(256).map(parse_batch).prefetch(tf.data.AUTOTUNE)
per_element = tf.data.TFRecordDataset(path).map(parse_one, num_parallel_calls=tf.data.AUTOTUNE).batch(256)

def run(ds):
    n = 0
    for img, lab in ds:
        n += 1
    return n
"""


def data_workloads(Workload):  # noqa: N803 - the dataclass is passed in to avoid an import cycle
    return [
        Workload(
            name="data_mnist_epoch",
            description="seeds' MNIST pipeline, one epoch: from_tensor_slices(60000x28x28 uint8, labels)"
                        ".map(preprocess).shuffle(10000).batch(128).prefetch",
            setup=_MNIST_TF,
            stmt="epoch()",
            torch_setup=_MNIST_TORCH,
            torch_stmt="epoch()",
        ),
        Workload(
            name="data_tfrecord_parse_batched",
            description="TFRecordDataset of 10000 Examples (784-byte image + label) .batch(256)"
                        ".map(parse_example + decode_raw + cast)",
            setup=_TFRECORD_TF,
            stmt="run(batched)",
        ),
        Workload(
            name="data_tfrecord_parse_per_element",
            description="the same file, .map(parse_single_example + decode_raw, num_parallel_calls=AUTOTUNE)"
                        ".batch(256)",
            setup=_TFRECORD_TF,
            stmt="run(per_element)",
        ),
    ]
