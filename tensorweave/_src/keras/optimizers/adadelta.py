"""`tf.keras.optimizers.Adadelta`: steps scaled by the ratio of moving RMS of updates and gradients.

    acc_g = rho * acc_g + (1 - rho) * g^2
    delta = -sqrt(acc_d + eps) * g / sqrt(acc_g + eps);  acc_d = rho * acc_d + (1 - rho) * delta^2
    w += lr * delta

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adadelta(learning_rate=1.0)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.99858576
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, dense, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.Adadelta", "keras.optimizers.experimental.Adadelta", "optimizers.Adadelta")
class Adadelta(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adadelta", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._accumulated_grads = []
        self._accumulated_delta_vars = []
        for var in var_list:
            self._accumulated_grads.append(self.add_variable_from_reference(var, "accumulated_grad"))
            self._accumulated_delta_vars.append(
                self.add_variable_from_reference(var, "accumulated_delta_var"))

    def update_step(self, grad, variable):
        lr = self._lr(variable.dtype)
        rho = self.rho
        accumulated_grad = self._slot(self._accumulated_grads, variable)
        accumulated_delta_var = self._slot(self._accumulated_delta_vars, variable)

        def rms(x):
            return tf.sqrt(x + self.epsilon)

        if isinstance(grad, tf.IndexedSlices):
            accumulated_grad.assign_add((rho - 1) * accumulated_grad)
            scatter_add(accumulated_grad, grad.indices, (1 - rho) * tf.square(grad.values))
            grad = dense(grad)
        else:
            accumulated_grad.assign(rho * accumulated_grad + (1 - rho) * grad * grad)
        delta_var = -rms(accumulated_delta_var) * grad / rms(accumulated_grad)
        accumulated_delta_var.assign(rho * accumulated_delta_var + (1 - rho) * delta_var * delta_var)
        variable.assign_add(lr * delta_var)

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "rho", "epsilon")
