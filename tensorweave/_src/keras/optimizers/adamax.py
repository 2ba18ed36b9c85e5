"""`tf.keras.optimizers.Adamax`: Adam with the infinity norm in place of the second moment.

    m += (g - m) * (1 - beta_1);  u = max(beta_2 * u, |g|)
    w -= lr * m / ((1 - beta_1^t) * (u + epsilon))

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adamax(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.90000004
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.Adamax", "keras.optimizers.experimental.Adamax", "optimizers.Adamax")
class Adamax(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adamax", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._m = []
        self._u = []
        for var in var_list:
            self._m.append(self.add_variable_from_reference(model_variable=var, variable_name="m"))
            self._u.append(self.add_variable_from_reference(model_variable=var, variable_name="u"))

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = self._lr(dtype)
        beta_1_power = self._per_step(("adamax", dtype), lambda: tf.pow(
            tf.cast(self.beta_1, dtype), tf.cast(self.iterations + 1, dtype)))
        m = self._slot(self._m, variable)
        u = self._slot(self._u, variable)
        if isinstance(gradient, tf.IndexedSlices):
            indices = gradient.indices
            m.assign_add(-m * (1 - self.beta_1))
            scatter_add(m, indices, gradient.values * (1 - self.beta_1))
            u.assign(u * self.beta_2)
            u_slice = tf.gather(u, indices)
            scatter_add(u, indices, tf.maximum(u_slice, tf.abs(gradient.values)) - u_slice)
        else:
            m.assign_add((gradient - m) * (1 - self.beta_1))
            u.assign(tf.maximum(self.beta_2 * u, tf.abs(gradient)))
        variable.assign_sub((lr * m) / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "beta_1", "beta_2", "epsilon")
