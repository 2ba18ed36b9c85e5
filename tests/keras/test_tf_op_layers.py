"""Public tf.* functions on KerasTensors build TFOpLambda layers as tf_keras does (names, output specs,
recorded arguments, summaries, configs, from_config, values, training): oracle fixtures, family
keras_tf_op_layers. Plus the export layer's dispatch hook itself."""

import inspect
import pickle

import pytest

import tensorweave as tf
from tensorweave._src.api_export import EXPORTS
from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_tf_op_layers"))
def test_keras_tf_op_layers(case):
    check_keras_fixture("keras_tf_op_layers", case)


def test_public_op_is_a_thin_wrapper_with_the_same_signature():
    raw = EXPORTS["math.reduce_sum"]
    assert tf.reduce_sum is not raw and tf.reduce_sum.__wrapped__ is raw and tf.math.reduce_sum is tf.reduce_sum
    assert inspect.signature(tf.reduce_sum) == inspect.signature(raw)
    assert tf.reduce_sum.__name__ == "reduce_sum" and tf.reduce_sum.__doc__ == raw.__doc__
    assert tf.constant is EXPORTS["constant"] and tf.print is EXPORTS["print"]  # not dispatchable in TF
    assert tf.keras.layers.Dense is EXPORTS["keras.layers.Dense"]  # classes are never wrapped
    assert pickle.loads(pickle.dumps(tf.reduce_sum)) is tf.reduce_sum  # found under its public name


def test_errors_pass_through_unchanged():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.reshape(tf.ones([2, 3]), [4])
    with pytest.raises(TypeError):
        tf.reduce_sum(tf.ones([2]), no_such_argument=1)


def test_registered_handler_sees_failed_calls_only():
    from tensorweave._src.api_export import _DISPATCHERS, register_dispatcher

    class Marker:
        pass

    seen = []

    def handler(api_name, args, kwargs):
        if any(isinstance(a, Marker) for a in args):
            seen.append((api_name, len(args), sorted(kwargs)))
            return "handled"
        return NotImplemented

    register_dispatcher(handler)
    try:
        assert float(tf.add(1.0, 2.0)) == 3.0 and not seen
        assert tf.math.add(Marker(), 1.0) == "handled"
        assert tf.reduce_sum(Marker(), axis=1) == "handled"
        assert seen == [("math.add", 2, []), ("math.reduce_sum", 1, ["axis"])]
    finally:
        _DISPATCHERS.remove(handler)


def test_ops_inside_a_layer_call_are_not_recorded_as_layers():
    """A layer's call runs on placeholders: its ops are its own, not TFOpLambda layers."""
    tf.keras.backend.clear_session()
    x = tf.keras.Input((4,))
    y = tf.keras.layers.Lambda(lambda t: tf.nn.relu(t) * 2)(x)
    model = tf.keras.Model(x, y)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Lambda"]
