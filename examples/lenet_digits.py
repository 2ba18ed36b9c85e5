"""The main job: the seeds' LeNet-5 (Sequential, compile, fit with Keras's progress bar, evaluate) trained on
the handwritten digits that ship with scikit-learn (no download), upsampled from 8x8 to 28x28 with
tensorweave ops. Prints the test accuracy (at least 95%). Run with `make demo`.
"""

import numpy as np
from sklearn.datasets import load_digits

import tensorweave as tf
from tensorweave import keras
from tensorweave.keras import layers


def interpolation_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Rows of linear-interpolation weights mapping n_in samples to n_out (align corners)."""
    positions = np.linspace(0, n_in - 1, n_out)
    lo = np.floor(positions).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = positions - lo
    m = np.zeros((n_out, n_in), np.float32)
    m[np.arange(n_out), lo] += 1 - frac
    m[np.arange(n_out), hi] += frac
    return m


def upsample(images: np.ndarray, size: int = 28):
    """Bilinear 8x8 -> size x size: W @ image @ W^T, batched with tf.einsum."""
    w = tf.constant(interpolation_matrix(images.shape[1], size))
    x = tf.constant(images.astype(np.float32))
    up = tf.einsum("hi,nij,wj->nhw", w, x, w)
    return tf.expand_dims(up, -1)  # NHWC, one channel


def load_data():
    digits = load_digits()
    images = digits.images / 16.0
    labels = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], labels[order]
    split = int(0.8 * len(images))
    x = upsample(images)
    return (x[:split], labels[:split]), (x[split:], labels[split:])


def lenet5() -> keras.Sequential:
    """LeNet-5 as in the seeds (seed 004's LeNet-5 实战)."""
    return keras.Sequential([
        layers.Conv2D(6, kernel_size=3, strides=1),
        layers.MaxPooling2D(pool_size=2, strides=2),
        layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1),
        layers.MaxPooling2D(pool_size=2, strides=2),
        layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation="relu"),
        layers.Dense(84, activation="relu"),
        layers.Dense(10),
    ])


def main() -> float:
    tf.random.set_seed(0)
    (x_train, y_train), (x_test, y_test) = load_data()
    print("train images:", x_train.shape, "test images:", x_test.shape)
    model = lenet5()
    model.build(input_shape=(None, 28, 28, 1))
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=12, validation_split=0.1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f} - test accuracy {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    accuracy = main()
    if accuracy < 0.95:
        raise SystemExit(f"test accuracy {accuracy:.3f} is below 0.95")
