"""`tf.keras.optimizers.Adagrad`: per-coordinate steps scaled by the accumulated squared gradients.

    acc += g^2;  w -= lr * g / sqrt(acc + epsilon)      (acc starts at initial_accumulator_value)

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adagrad(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.90122706
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.Adagrad", "keras.optimizers.experimental.Adagrad", "optimizers.Adagrad")
class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adagrad", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._accumulators = [
            self.add_variable_from_reference(var, "accumulator", initial_value=tf.fill(
                var.shape, tf.constant(self.initial_accumulator_value, dtype=var.dtype)))
            for var in var_list]

    def update_step(self, grad, variable):
        lr = self._lr(variable.dtype)
        accumulator = self._slot(self._accumulators, variable)
        if isinstance(grad, tf.IndexedSlices):
            scatter_add(accumulator, grad.indices, grad.values * grad.values)
            sparse_denominator = tf.sqrt(tf.gather(accumulator, grad.indices) + self.epsilon)
            scatter_add(variable, grad.indices, -lr * grad.values / sparse_denominator)
        else:
            accumulator.assign_add(grad * grad)
            variable.assign_sub(lr * grad / tf.sqrt(accumulator + self.epsilon))

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "initial_accumulator_value", "epsilon")
