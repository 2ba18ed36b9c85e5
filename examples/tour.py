"""A tour: tensors and ops, then a Keras MLP trained with compile/fit on handwritten digits that
ship with scikit-learn (no download). (The main job, `make demo`, is lenet_digits.py.)
"""

import numpy as np
from sklearn.datasets import load_digits

import tensorweave as tf
from tensorweave import keras


def show_tensors() -> None:
    a = tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    print(a)
    print("a @ a =", a @ a)
    print("mean of a as float:", tf.reduce_mean(tf.cast(a, tf.float32)))
    print("a[1:, ::-1] =", a[1:, ::-1])
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x * x
    print("d(x^3)/dx at 3:", tape.gradient(y, x))


def load_data():
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32").reshape(-1, 64)
    y = digits.target.astype("int32")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])


def train() -> float:
    tf.random.set_seed(0)
    (x_train, y_train), (x_test, y_test) = load_data()
    model = keras.Sequential([
        keras.layers.Dense(128, activation="relu", input_shape=(64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=32, epochs=15, validation_split=0.1, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    print("tensorweave", tf.__version__)
    show_tensors()
    accuracy = train()
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} is below 0.95"
