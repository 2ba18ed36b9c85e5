"""`tf.keras.optimizers.Lion`: sign of an interpolated momentum (Chen et al., 2023).

    w -= lr * sign(beta_1 * m + (1 - beta_1) * g);  m = beta_2 * m + (1 - beta_2) * g

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Lion(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.9
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.Lion", "optimizers.Lion")
class Lion(Optimizer):
    def __init__(self, learning_rate=0.0001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Lion", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"`beta_1`={beta_1} must be between ]0, 1]. Otherwise, the optimizer "
                             f"degenerates to SignSGD.")

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
        beta_1, beta_2 = self._per_step(("lion", dtype), lambda: (tf.cast(self.beta_1, dtype),
                                                                  tf.cast(self.beta_2, dtype)))
        m = self._slot(self.momentums, variable)
        if isinstance(gradient, tf.IndexedSlices):
            m.assign(m * beta_1)
            scatter_add(m, gradient.indices, gradient.values * (1.0 - beta_1))
            variable.assign_sub(lr * tf.math.sign(m))
            m.assign(m * beta_2 / beta_1)
            scatter_add(m, gradient.indices, gradient.values * (1.0 - beta_2 / beta_1))
        else:
            variable.assign_sub(lr * tf.math.sign(m * beta_1 + gradient * (1.0 - beta_1)))
            m.assign(m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "beta_1", "beta_2")
