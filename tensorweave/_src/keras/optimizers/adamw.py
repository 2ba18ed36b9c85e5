"""`tf.keras.optimizers.AdamW`: Adam with decoupled weight decay (`w -= w * weight_decay * lr` before
each Adam step; `exclude_from_weight_decay` exempts variables).

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.8500008
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.optimizers.adam import adam_update, build_adam_slots
from tensorweave._src.keras.optimizers.base import Optimizer


@tf_export("keras.optimizers.AdamW", "keras.optimizers.experimental.AdamW", "optimizers.AdamW")
class AdamW(Optimizer):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, name="AdamW", **kwargs):
        super().__init__(name=name, clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.weight_decay = weight_decay
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        if self.weight_decay is None:
            raise ValueError("Missing value of `weight_decay` which is required and must be a float value.")

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        build_adam_slots(self, var_list)

    def update_step(self, gradient, variable):
        adam_update(self, gradient, variable)

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate),
                       "weight_decay": self.weight_decay, "beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config
