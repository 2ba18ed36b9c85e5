"""`tf.keras.optimizers.RMSprop`: scales steps by a moving average of squared gradients (centered:
minus the squared moving average of gradients), with optional momentum.

    v = rho * v + (1 - rho) * g^2;  w -= lr * g / sqrt(v + epsilon)

>>> import tensorweave as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.RMSprop(learning_rate=0.1)
>>> opt.minimize(lambda: w * w, [w]); print(w.numpy())
0.6837722
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.optimizers.base import Optimizer, base_args, scatter_add

tf = PublicNamespace()


@tf_export("keras.optimizers.RMSprop", "keras.optimizers.experimental.RMSprop", "optimizers.RMSprop")
class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=100, jit_compile=True, name="RMSprop", **kwargs):
        super().__init__(**base_args(locals()))  # the signature is Keras's
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._velocities = [self.add_variable_from_reference(var, "velocity") for var in var_list]
        self._momentums = []
        if self.momentum > 0:
            self._momentums = [self.add_variable_from_reference(var, "momentum") for var in var_list]
        self._average_gradients = []
        if self.centered:
            self._average_gradients = [self.add_variable_from_reference(var, "average_gradient")
                                       for var in var_list]

    def update_step(self, gradient, variable):
        lr = self._lr(variable.dtype)
        velocity = self._slot(self._velocities, variable)
        momentum = self._slot(self._momentums, variable) if self.momentum > 0 else None
        average_grad = self._slot(self._average_gradients, variable) if self.centered else None
        rho = self.rho
        if isinstance(gradient, tf.IndexedSlices):
            indices, values = gradient.indices, gradient.values
            velocity.assign(rho * velocity)
            scatter_add(velocity, indices, tf.square(values) * (1 - rho))
            if self.centered:
                average_grad.assign(rho * average_grad)
                scatter_add(average_grad, indices, values * (1 - rho))
                denominator = velocity - tf.square(average_grad) + self.epsilon
            else:
                denominator = velocity + self.epsilon
            increment = lr * values * tf.math.rsqrt(tf.gather(denominator, indices))
            if self.momentum > 0:
                momentum.assign(self.momentum * momentum)
                scatter_add(momentum, indices, increment)
                variable.assign_add(-momentum)
            else:
                scatter_add(variable, indices, -increment)
            return
        velocity.assign(rho * velocity + (1 - rho) * tf.square(gradient))
        if self.centered:
            average_grad.assign(rho * average_grad + (1 - rho) * gradient)
            denominator = velocity - tf.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = lr * gradient * tf.math.rsqrt(denominator)
        if self.momentum > 0:
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_add(-momentum)
        else:
            variable.assign_add(-increment)

    def get_config(self):
        return self._hyperparameter_config(super().get_config(), "rho", "momentum", "epsilon", "centered")
