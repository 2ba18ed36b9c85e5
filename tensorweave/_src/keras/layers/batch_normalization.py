"""`tf.keras.layers.BatchNormalization` (Keras 2): normalizes with the batch's moments when training
(and moves `moving_mean` / `moving_variance` towards them: `moving -= (moving - batch) * (1 - momentum)`;
for 4D/5D float32 inputs normalized over axis 1 or the last axis, TF's fused kernel runs and the variance
that moving_variance follows is the unbiased one),
with the moving statistics at inference; then scales by `gamma` and shifts by `beta`.

>>> import tensorweave as tf
>>> layer = tf.keras.layers.BatchNormalization()
>>> _ = layer(tf.constant([[1.0, 2.0], [3.0, 6.0]]), training=True)
>>> [w.name.split("/")[1] for w in layer.weights]
['gamma:0', 'beta:0', 'moving_mean:0', 'moving_variance:0']
>>> layer.moving_mean.numpy().tolist()
[0.019999999552965164, 0.03999999910593033]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import initializers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.gamma_beta import GammaBetaMixin

tf = PublicNamespace()


@tf_export("keras.layers.BatchNormalization")
class BatchNormalization(GammaBetaMixin, Layer):
    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized=False,
        **kwargs,
    ):
        renorm = kwargs.pop("renorm", False)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        fused = kwargs.pop("fused", None)
        virtual_batch_size = kwargs.pop("virtual_batch_size", None)
        adjustment = kwargs.pop("adjustment", None)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError(
                "BatchNormalization renorm / virtual_batch_size / adjustment are not "
                "implemented in tensorweave"
            )
        super().__init__(**kwargs)
        self.axis = _utils.axis_argument(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.synchronized = synchronized
        self.fused = fused
        self._init_gamma_beta(
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    @property
    def _param_dtype(self):
        return tf.float32 if self.dtype in ("float16", "bfloat16") else tf.as_dtype(self.dtype)

    def _fused_can_be_used(self) -> bool:
        axis = [self.axis] if isinstance(self.axis, int) else self.axis
        return (
            len(axis) == 1
            and axis[0] in (-4, -3, -1, 1, 3, 4)
            and not self.synchronized
            and self.compute_dtype in ("float16", "bfloat16", "float32")
        )

    def _use_fused(self, input_shape) -> bool:
        """Whether TF would run FusedBatchNorm (4D/5D input, channels at axis 1 or last, float32 or less):
        it then moves `moving_variance` towards the batch's *unbiased* variance."""
        rank = input_shape.rank
        if self.fused is False or not self._fused_can_be_used():
            if self.fused:
                raise ValueError(
                    f"Passing `fused=True` is only supported when axis is 1 or 3 for input "
                    f"rank = 4 or "
                    f"1 or 4 for input rank = 5. Got axis {self.axis}"
                )
            return False
        if rank not in (4, 5):
            if self.fused:
                raise ValueError(
                    f"Batch normalization layers with `fused=True` only support 4D or 5D input "
                    f"tensors. Received tensor with shape: {input_shape}"
                )
            return False
        if self.axis in ([1], [rank - 1]):
            return True
        if rank == 5:
            return False
        raise ValueError(
            f"Unsupported axis. The use of `fused=True` is only possible with `axis=1` or "
            f"`axis=3` for "
            f"4D input tensors. Received: axis={tuple(self.axis)}"
        )

    def build(self, input_shape) -> None:
        self.axis = _utils.validate_axis(self.axis, input_shape)
        input_shape = TensorShape(input_shape)
        rank = input_shape.rank
        axis_to_dim = {x: input_shape[x] for x in self.axis}
        for x in axis_to_dim:
            if axis_to_dim[x] is None:
                raise ValueError(
                    f"Input has undefined `axis` dimension. Received input with shape "
                    f"{tuple(input_shape)} and axis={tuple(self.axis)}"
                )
        self.input_spec = InputSpec(ndim=rank, axes=axis_to_dim)
        self._fused = self._use_fused(input_shape)
        if len(axis_to_dim) == 1:
            param_shape = (list(axis_to_dim.values())[0],)
        else:
            param_shape = [axis_to_dim[i] if i in axis_to_dim else 1 for i in range(rank)]
        self._param_shape = param_shape
        dtype = self._param_dtype
        self._add_gamma_beta(param_shape, dtype=dtype, trainable=True)
        self.moving_mean = self.add_weight(
            name="moving_mean",
            shape=param_shape,
            dtype=dtype,
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance",
            shape=param_shape,
            dtype=dtype,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.built = True

    def _get_training_value(self, training):
        training = _utils.training_value(training)
        if not self.trainable:
            training = False  # a frozen BatchNormalization runs in inference mode
        return training

    def call(self, inputs, training=None, mask=None):
        inputs_dtype = inputs.dtype
        inputs = tf.cast(inputs, self.compute_dtype)
        training = self._get_training_value(training)
        ndims = inputs.shape.rank
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        keep_dims = len(self.axis) > 1
        if training:
            x = tf.cast(inputs, self._param_dtype)
            if mask is None:
                mean, variance = tf.nn.moments(x, reduction_axes, keepdims=keep_dims)
            else:
                weights = tf.cast(mask, x.dtype)
                if weights.shape.rank < ndims:
                    weights = tf.reshape(
                        weights,
                        tf.concat([tf.shape(weights), tf.ones([ndims - weights.shape.rank], tf.int32)], 0),
                    )
                mean, variance = tf.nn.weighted_moments(x, reduction_axes, weights, keepdims=keep_dims)
            update_variance = variance
            if self._fused:  # FusedBatchNorm's running variance uses Bessel's correction
                n = tf.cast(tf.size(x), variance.dtype) / tf.cast(tf.size(variance), variance.dtype)
                update_variance = variance * (n / (n - 1.0))
            decay = tf.cast(1.0 - self.momentum, self.moving_mean.dtype)
            self.moving_mean.assign_sub((self.moving_mean - tf.cast(mean, self.moving_mean.dtype)) * decay)
            self.moving_variance.assign_sub(
                (self.moving_variance - tf.cast(update_variance, self.moving_variance.dtype)) * decay
            )
        else:
            mean, variance = (
                tf.convert_to_tensor(self.moving_mean),
                tf.convert_to_tensor(self.moving_variance),
            )
        broadcast_shape = [1] * ndims
        broadcast_shape[self.axis[0]] = inputs.shape[self.axis[0]]
        needs_broadcast = sorted(reduction_axes) != list(range(ndims))[:-1] and len(self.axis) == 1

        def _broadcast(v):
            if v is not None and needs_broadcast:
                return tf.reshape(v, broadcast_shape)
            return v

        scale = None if self.gamma is None else tf.cast(self.gamma, inputs.dtype)
        offset = None if self.beta is None else tf.cast(self.beta, inputs.dtype)
        outputs = tf.nn.batch_normalization(
            inputs,
            _broadcast(tf.cast(mean, inputs.dtype)),
            _broadcast(tf.cast(variance, inputs.dtype)),
            _broadcast(offset),
            _broadcast(scale),
            self.epsilon,
        )
        if inputs_dtype in (tf.float16, tf.bfloat16):
            outputs = tf.cast(outputs, inputs_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
            }
        )
        config.update(self._gamma_beta_config("moving_mean_initializer", "moving_variance_initializer"))
        if self.synchronized:
            config["synchronized"] = True
        return config
