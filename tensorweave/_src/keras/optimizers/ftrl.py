"""`tf.keras.optimizers.Ftrl`: Follow The Regularized Leader (McMahan et al.), with L1, L2 and
L2-shrinkage regularization.

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Ftrl(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.7450533
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, dense

tf = PublicNamespace()


@tf_export("keras.optimizers.Ftrl", "keras.optimizers.experimental.Ftrl", "optimizers.Ftrl")
class Ftrl(Optimizer):
    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Ftrl", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        if initial_accumulator_value < 0.0:
            raise ValueError(f"`initial_accumulator_value` needs to be positive or zero. Received: "
                             f"initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        if l1_regularization_strength < 0.0:
            raise ValueError(f"`l1_regularization_strength` needs to be positive or zero. Received: "
                             f"l1_regularization_strength={l1_regularization_strength}.")
        if l2_regularization_strength < 0.0:
            raise ValueError(f"`l2_regularization_strength` needs to be positive or zero. Received: "
                             f"l2_regularization_strength={l2_regularization_strength}.")
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError(f"`l2_shrinkage_regularization_strength` needs to be positive or zero. "
                             f"Received: l2_shrinkage_regularization_strength"
                             f"={l2_shrinkage_regularization_strength}.")
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._accumulators = []
        self._linears = []
        for var in var_list:
            self._accumulators.append(self.add_variable_from_reference(
                model_variable=var, variable_name="accumulator",
                initial_value=tf.cast(tf.fill(dims=var.shape, value=self.initial_accumulator_value),
                                      dtype=var.dtype)))
            self._linears.append(self.add_variable_from_reference(model_variable=var, variable_name="linear"))
        self._built = True

    def update_step(self, gradient, variable):
        gradient = dense(gradient)
        lr = self._lr(variable.dtype)
        accum = self._slot(self._accumulators, variable)
        linear = self._slot(self._linears, variable)
        lr_power = self.learning_rate_power
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accum = accum + tf.pow(gradient, 2)
        linear.assign_add(
            grad_to_use - (tf.pow(new_accum, -lr_power) - tf.pow(accum, -lr_power)) / lr * variable)
        quadratic = tf.pow(new_accum, (-lr_power)) / lr + 2 * l2_reg
        linear_clipped = tf.clip_by_value(linear, -self.l1_regularization_strength,
                                          self.l1_regularization_strength)
        variable.assign((linear_clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self):
        return self._hyperparameter_config(
            super().get_config(),
            "learning_rate_power",
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "l2_shrinkage_regularization_strength",
            "beta",
        )
