"""`tf.keras.optimizers.SGD`: gradient descent with optional (Nesterov) momentum.

    m = momentum * m - learning_rate * g
    w += m                                   (w += momentum * m - learning_rate * g with nesterov)

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.8
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.SGD", "keras.optimizers.experimental.SGD", "optimizers.SGD")
class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="SGD", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self.momentums = [self.add_variable_from_reference(model_variable=var, variable_name="m")
                          for var in var_list]
        self._built = True

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = self._lr(dtype)
        momentum = self._per_step(("momentum", dtype), lambda: tf.cast(self.momentum, dtype))
        m = self._slot(self.momentums, variable)
        if isinstance(gradient, tf.IndexedSlices):
            add_value = -gradient.values * lr
            m.assign(m * momentum)
            scatter_add(m, gradient.indices, add_value)
            if self.nesterov:
                scatter_add(variable, gradient.indices, add_value)
                variable.assign_add(m * momentum)
            else:
                variable.assign_add(m)
        else:
            m.assign(-gradient * lr + m * momentum)
            if self.nesterov:
                variable.assign_add(-gradient * lr + m * momentum)
            else:
                variable.assign_add(m)

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "momentum", "nesterov")
