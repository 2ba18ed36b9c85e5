"""`tf.keras.optimizers.Nadam`: Adam with Nesterov momentum (Dozat's momentum schedule
`u_t = beta_1 * (1 - 0.5 * 0.96^t)`, whose running product is kept in a variable).

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Nadam(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.8937212
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, dense, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.Nadam", "keras.optimizers.experimental.Nadam", "optimizers.Nadam")
class Nadam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Nadam", **kwargs):
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
        self._momentums = []
        self._velocities = []
        self._u_product = tf.Variable(1.0, dtype=var_list[0].dtype)
        self._u_product_counter = 1
        for var in var_list:
            self._momentums.append(self.add_variable_from_reference(model_variable=var, variable_name="m"))
            self._velocities.append(self.add_variable_from_reference(model_variable=var, variable_name="v"))

    def _coefficients(self, dtype):
        lr = tf.cast(self.learning_rate, dtype)
        local_step = tf.cast(self.iterations + 1, dtype)
        next_step = tf.cast(self.iterations + 2, dtype)
        decay = tf.cast(0.96, dtype)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * (tf.pow(decay, local_step)))
        u_t_1 = beta_1 * (1.0 - 0.5 * (tf.pow(decay, next_step)))
        beta_2_power = tf.pow(beta_2, local_step)
        return lr, beta_1, beta_2, u_t, u_t_1, beta_2_power

    def _u_product_t(self, u_t):
        """The running product of u_t, advanced when `_u_product_counter` (a Python count of the products
        computed, as tf_keras keeps it) is behind the step. Eagerly that is once per step; in a traced
        function every variable but one advances it, since the count then grows at trace time (tf_keras
        traces the advancing branch of its `tf.cond` once per variable), as TF computes in `fit`."""
        cached = tf.equal(self._u_product_counter, self.iterations + 2)
        if tf.executing_eagerly():
            if bool(cached):
                return self._u_product
            u_product_t = self._u_product * u_t
            self._u_product.assign(u_product_t)
            self._u_product_counter += 1
            return u_product_t
        u_product_t = tf.where(cached, self._u_product, self._u_product * u_t)
        self._u_product.assign(u_product_t)
        self._u_product_counter += 1
        return u_product_t

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr, beta_1, beta_2, u_t, u_t_1, beta_2_power = self._per_step(
            ("nadam", dtype), lambda: self._coefficients(dtype))
        u_product_t = self._u_product_t(u_t)
        u_product_t_1 = u_product_t * u_t_1
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        if isinstance(gradient, tf.IndexedSlices):
            m.assign_add(-m * (1 - beta_1))
            scatter_add(m, gradient.indices, gradient.values * (1 - beta_1))
            v.assign_add(-v * (1 - beta_2))
            scatter_add(v, gradient.indices, tf.square(gradient.values) * (1 - beta_2))
            gradient = dense(gradient)
        else:
            m.assign_add((gradient - m) * (1 - beta_1))
            v.assign_add((tf.square(gradient) - v) * (1 - beta_2))
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub((m_hat * lr) / (tf.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "beta_1", "beta_2", "epsilon")
