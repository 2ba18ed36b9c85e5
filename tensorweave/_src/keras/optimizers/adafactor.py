"""`tf.keras.optimizers.Adafactor`: factored second moments (row and column means for variables of
rank >= 2), relative step sizes and update clipping (Shazeer & Stern, 2018).

>>> import tensorweave as tf
>>> w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
>>> opt = tf.keras.optimizers.Adafactor(learning_rate=0.1)
>>> opt.minimize(lambda: tf.reduce_sum(w * w), [w]); print(w.numpy())
[[0.78786796 1.7       ]
 [2.715395   3.7316718 ]]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, dense
from tensorweave._src.keras.optimizers.schedules import LearningRateSchedule

tf = PublicNamespace()


@tf_export("keras.optimizers.Adafactor", "keras.optimizers.experimental.Adafactor", "optimizers.Adafactor")
class Adafactor(Optimizer):
    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Adafactor", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._r = []
        self._c = []
        self._v = []
        for var in var_list:
            name = var.name[:-2] if var.name.endswith(":0") else var.name
            if len(var.shape) < 2:  # unfactored: placeholders (not optimizer variables), as tf_keras
                self._r.append(tf.Variable(0, name=f"r/{name}"))
                self._c.append(tf.Variable(0, name=f"r/{name}"))
            else:
                shape = var.shape.as_list()
                self._r.append(self.add_variable(shape=shape[:-1], dtype=var.dtype, name=f"r/{name}"))
                self._c.append(self.add_variable(shape=shape[:-2] + shape[-1:], dtype=var.dtype,
                                                 name=f"c/{name}"))
            self._v.append(self.add_variable_from_reference(model_variable=var, variable_name="v"))

    @staticmethod
    def _rms(x):
        return tf.sqrt(tf.reduce_mean(tf.square(x)))

    def update_step(self, gradient, variable):
        gradient = dense(gradient)
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        epsilon_2 = tf.cast(self.epsilon_2, dtype)
        one = tf.cast(1.0, dtype)
        local_step = tf.cast(self.iterations + 1, dtype)
        if not isinstance(self._learning_rate, LearningRateSchedule) and self.relative_step:
            lr = tf.minimum(lr, tf.math.rsqrt(local_step))
        r = self._slot(self._r, variable)
        c = self._slot(self._c, variable)
        v = self._slot(self._v, variable)
        rho_t = tf.minimum(lr, tf.math.rsqrt(local_step))
        alpha_t = tf.maximum(epsilon_2, self._rms(variable)) * rho_t
        regulated_grad_square = tf.square(gradient) + self.epsilon_1
        beta_2_t = 1 - tf.pow(local_step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            r.assign(beta_2_t * r + (1 - beta_2_t) * tf.reduce_mean(regulated_grad_square, axis=-1))
            c.assign(beta_2_t * c + (1 - beta_2_t) * tf.reduce_mean(regulated_grad_square, axis=-2))
            v.assign(tf.expand_dims(r / tf.reduce_mean(r, axis=-1, keepdims=True), axis=-1)
                     * tf.expand_dims(c, -2))
        else:
            v.assign(beta_2_t * v + (1 - beta_2_t) * regulated_grad_square)
        u_t = tf.convert_to_tensor(gradient) * tf.math.rsqrt(v)
        u_t_hat = u_t / tf.maximum(one, (self._rms(u_t) / self.clip_threshold))
        variable.assign_add(-alpha_t * u_t_hat)

    def get_config(self):
        return self._hyperparameter_config(
            super().get_config(),
            "beta_2_decay",
            "epsilon_1",
            "epsilon_2",
            "clip_threshold",
            "relative_step",
        )
