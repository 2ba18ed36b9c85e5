"""Printed forms checked with `check_str`; expected text recorded from the TF oracle."""

from tests.harness import check_str


def test_print_matrix():
    check_str("print(tf.constant([[1, 2], [3, 4]]))",
              "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)")


def test_print_several_with_sep():
    check_str('print(tf.constant(1.5), tf.constant("a"), sep=" | ")',
              "tf.Tensor(1.5, shape=(), dtype=float32) | tf.Tensor(b'a', shape=(), dtype=string)")


def test_format_and_shape_repr():
    check_str('x = tf.constant([1.0, 2.0]); print(f"{x}"); print(repr(x.shape), x.dtype)',
              "[1. 2.]\nTensorShape([2]) <dtype: 'float32'>")


def test_print_float_division_result():
    check_str("print(tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4)) / 3)",
              "tf.Tensor(\n"
              "[[0.         0.33333334 0.6666667  1.        ]\n"
              " [1.3333334  1.6666666  2.         2.3333333 ]\n"
              " [2.6666667  3.         3.3333333  3.6666667 ]], shape=(3, 4), dtype=float32)")
