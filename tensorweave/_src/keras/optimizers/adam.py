"""`tf.keras.optimizers.Adam`: adaptive moment estimation (optionally AMSGrad).

    m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
    w -= m * lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) / (sqrt(v) + epsilon)

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adam(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.9000008
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


def build_adam_slots(opt, var_list) -> None:
    """Adam's and AdamW's slots: 'm' and 'v' per variable, then 'vhat' with amsgrad."""
    opt._momentums = []
    opt._velocities = []
    for var in var_list:
        opt._momentums.append(opt.add_variable_from_reference(model_variable=var, variable_name="m"))
        opt._velocities.append(opt.add_variable_from_reference(model_variable=var, variable_name="v"))
    if opt.amsgrad:
        opt._velocity_hats = [opt.add_variable_from_reference(model_variable=var, variable_name="vhat")
                              for var in var_list]


def adam_update(opt, gradient, variable, adaptive_epsilon=False) -> None:
    dtype = variable.dtype

    def coefficients():
        lr = tf.cast(opt.learning_rate, dtype)
        local_step = tf.cast(opt.iterations + 1, dtype)
        beta_2_power = tf.pow(tf.cast(opt.beta_2, dtype), local_step)
        beta_1_power = tf.pow(tf.cast(opt.beta_1, dtype), local_step)
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        epsilon_hat = opt.epsilon * tf.sqrt(1 - beta_2_power) if adaptive_epsilon else opt.epsilon
        return alpha, epsilon_hat

    alpha, epsilon_hat = opt._per_step(("adam", dtype), coefficients)
    m = opt._slot(opt._momentums, variable)
    v = opt._slot(opt._velocities, variable)
    if isinstance(gradient, tf.IndexedSlices):
        m.assign_add(-m * (1 - opt.beta_1))
        scatter_add(m, gradient.indices, gradient.values * (1 - opt.beta_1))
        v.assign_add(-v * (1 - opt.beta_2))
        scatter_add(v, gradient.indices, tf.square(gradient.values) * (1 - opt.beta_2))
    else:
        m.assign_add((gradient - m) * (1 - opt.beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - opt.beta_2))
    if opt.amsgrad:
        v_hat = opt._slot(opt._velocity_hats, variable)
        v_hat.assign(tf.maximum(v_hat, v))
        v = v_hat
    variable.assign_sub((m * alpha) / (tf.sqrt(v) + epsilon_hat))


@tf_export("keras.optimizers.Adam", "keras.optimizers.experimental.Adam", "optimizers.Adam")
class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, adaptive_epsilon=False,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True,
                 name="Adam", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.adaptive_epsilon = adaptive_epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        build_adam_slots(self, var_list)

    def update_step(self, gradient, variable):
        adam_update(self, gradient, variable, self.adaptive_epsilon)

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "beta_1", "beta_2", "epsilon", "amsgrad")
