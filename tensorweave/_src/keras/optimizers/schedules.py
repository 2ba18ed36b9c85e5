"""`tf.keras.optimizers.schedules`: learning rates as functions of the step (tf_keras 2.21).

A schedule is called with the optimizer's `iterations` and returns a scalar tensor (the dtype of its
`initial_learning_rate`). Branches that TF takes with `tf.cond` / `tf.case` are selected with
`tf.where` here, so the same code runs eagerly and in graphs with identical values.

>>> import tensorweave as tf
>>> s = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> print(s(10))
tf.Tensor(0.05, shape=(), dtype=float32)
"""

from __future__ import annotations

import math

from tensorweave._src.api_export import PublicNamespace, tf_export

tf = PublicNamespace()


@tf_export("keras.optimizers.schedules.LearningRateSchedule")
class LearningRateSchedule:
    """Base class: `schedule(step) -> learning rate`; subclasses define `__call__` and `get_config`."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _initial(value):
    lr = tf.convert_to_tensor(value)
    return lr, lr.dtype


class _TimeDecay(LearningRateSchedule):
    """ExponentialDecay and InverseTimeDecay: the same arguments, and decay driven by
    `step / decay_steps` (floored with `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step, dtype):
        p = tf.cast(step, dtype) / tf.cast(self.decay_steps, dtype)
        return tf.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


@tf_export("keras.optimizers.schedules.ExponentialDecay")
class ExponentialDecay(_TimeDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent with `staircase`)."""

    def __call__(self, step):
        lr, dtype = _initial(self.initial_learning_rate)
        p = self._progress(step, dtype)
        return tf.multiply(lr, tf.pow(tf.cast(self.decay_rate, dtype), p))


@tf_export("keras.optimizers.schedules.PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` up to `boundaries[0]` (inclusive), `values[1]` up to `boundaries[1]`, ..."""

    def __init__(self, boundaries, values, name=None):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. "
                             f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                             f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        boundaries = [tf.convert_to_tensor(b) for b in tf.nest.flatten(self.boundaries)]
        values = [tf.convert_to_tensor(v) for v in tf.nest.flatten(self.values)]
        x = tf.convert_to_tensor(step)
        boundaries = [b if b.dtype == x.dtype else tf.cast(b, x.dtype) for b in boundaries]
        out = values[0]
        for b, v in zip(boundaries, values[1:]):  # the last boundary below the step picks the value
            out = tf.where(x > b, v, out)
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@tf_export("keras.optimizers.schedules.PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, cycling when `cycle`."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name=None):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        lr, dtype = _initial(self.initial_learning_rate)
        end = tf.cast(self.end_learning_rate, dtype)
        power = tf.cast(self.power, dtype)
        global_step = tf.cast(step, dtype)
        decay_steps = tf.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = tf.where(tf.equal(global_step, 0), 1.0, tf.math.ceil(global_step / self.decay_steps))
            decay_steps = tf.multiply(decay_steps, multiplier)
        else:
            global_step = tf.minimum(global_step, decay_steps)
        p = tf.divide(global_step, decay_steps)
        return tf.add(tf.multiply(lr - end, tf.pow(1 - p, power)), end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


@tf_export("keras.optimizers.schedules.InverseTimeDecay")
class InverseTimeDecay(_TimeDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`."""

    def __call__(self, step):
        lr, dtype = _initial(self.initial_learning_rate)
        p = self._progress(step, dtype)
        denom = tf.add(tf.cast(tf.constant(1), dtype), tf.multiply(tf.cast(self.decay_rate, dtype), p))
        return tf.divide(lr, denom)


@tf_export("keras.optimizers.schedules.CosineDecay", "keras.experimental.CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Cosine decay to `alpha * lr` over `decay_steps`, after an optional linear warmup to
    `warmup_target` over `warmup_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
                 warmup_steps=0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay_function(self, step, decay_steps, decay_from_lr, dtype):
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return tf.multiply(decay_from_lr, decayed)

    def _warmup_function(self, step, warmup_steps, warmup_target, initial_learning_rate):
        completed_fraction = step / warmup_steps
        total_step_delta = warmup_target - initial_learning_rate
        return total_step_delta * completed_fraction + initial_learning_rate

    def __call__(self, step):
        lr, dtype = _initial(self.initial_learning_rate)
        decay_steps = tf.cast(self.decay_steps, dtype)
        global_step = tf.cast(step, dtype)
        if self.warmup_target is None:
            global_step = tf.minimum(global_step, decay_steps)
            return self._decay_function(global_step, decay_steps, lr, dtype)
        warmup_target = tf.cast(self.warmup_target, dtype)
        warmup_steps = tf.cast(self.warmup_steps, dtype)
        global_step = tf.minimum(global_step, decay_steps + warmup_steps)
        return tf.where(global_step < warmup_steps,
                        self._warmup_function(global_step, warmup_steps, warmup_target, lr),
                        self._decay_function(global_step - warmup_steps, decay_steps, warmup_target, dtype))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


@tf_export("keras.optimizers.schedules.CosineDecayRestarts", "keras.experimental.CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `t_mul`, peaks shrink by `m_mul`."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        lr, dtype = _initial(self.initial_learning_rate)
        first_decay_steps = tf.cast(self.first_decay_steps, dtype)
        alpha = tf.cast(self.alpha, dtype)
        t_mul = tf.cast(self._t_mul, dtype)
        m_mul = tf.cast(self._m_mul, dtype)
        completed_fraction = tf.cast(step, dtype) / first_decay_steps

        def compute_step(fraction, geometric):
            if geometric:
                # the ratio of logs in float64: float32 log kernels that are not correctly rounded (torch's
                # log(1.5) is 1 ulp off) would otherwise floor exact integer ratios (log 2.25 / log 1.5) down
                ratio = (tf.math.log(tf.cast(1.0 - fraction * (1.0 - t_mul), "float64"))
                         / tf.math.log(tf.cast(t_mul, "float64")))
                i_restart = tf.cast(tf.floor(ratio), dtype) if dtype.name != "float64" else tf.floor(ratio)
                sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
                return i_restart, (fraction - sum_r) / t_mul ** i_restart
            i_restart = tf.floor(fraction)
            return i_restart, fraction - i_restart

        linear_i, linear_f = compute_step(completed_fraction, False)
        geometric_i, geometric_f = compute_step(completed_fraction, True)
        is_linear = tf.equal(t_mul, 1.0)
        i_restart = tf.where(is_linear, linear_i, geometric_i)
        completed_fraction = tf.where(is_linear, linear_f, geometric_f)
        m_fac = m_mul ** i_restart
        cosine_decayed = 0.5 * m_fac * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return tf.multiply(lr, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_CLASSES = {c.__name__: c for c in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                                     PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


@tf_export("keras.optimizers.schedules.serialize")
def serialize(learning_rate_schedule, use_legacy_format=False) -> dict:
    """The schedule's Keras config: `{'module', 'class_name', 'config', 'registered_name'}` (or the legacy
    `{'class_name', 'config'}`)."""
    cls = type(learning_rate_schedule)
    config = learning_rate_schedule.get_config()
    if use_legacy_format:
        return {"class_name": cls.__name__, "config": config}
    if _CLASSES.get(cls.__name__) is cls:
        return {"module": "keras.optimizers.schedules", "class_name": cls.__name__, "config": config,
                "registered_name": None}
    return {"module": None if cls.__module__ == "__main__" else cls.__module__, "class_name": cls.__name__,
            "config": config, "registered_name": cls.__name__}


@tf_export("keras.optimizers.schedules.deserialize")
def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A schedule from its `serialize` form (custom classes from `custom_objects`)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Unknown decay: '{name}'. Please ensure you are using a `keras.utils."
                         f"custom_object_scope` and that this object is included in the scope.")
    return cls.from_config(config["config"])

