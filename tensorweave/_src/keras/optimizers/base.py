"""`tf.keras.optimizers.Optimizer`: the base of tf_keras 2.21's (new-style) optimizers.

An optimizer owns an `iterations` counter ('iteration:0', int64), a learning rate held in a
'learning_rate:0' variable (or a `LearningRateSchedule` whose current value lives in
'current_learning_rate:0'), and per-variable slot variables created by `build(var_list)` on the first
`apply_gradients` (named '<optimizer name>/<slot>/<variable name>', e.g. 'Adam/m/dense/kernel:0').
`apply_gradients` skips None gradients (with TF's warning), clips (clipnorm / global_clipnorm /
clipvalue), sums duplicate `IndexedSlices` rows, applies decoupled weight decay, runs each
optimizer's `update_step`, updates the EMA copies, increments `iterations` and finally applies
variable constraints, in that order, as tf_keras does. It works eagerly and inside `tf.function`
(slots are created on the first trace only).

>>> import tensorweave as tf
>>> w = tf.Variable([1.0, 2.0], name="w")
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
>>> _ = opt.apply_gradients([(tf.constant([1.0, -1.0]), w)])
>>> print(w.numpy(), int(opt.iterations))
[0.9 2.1] 1
"""

from __future__ import annotations

import logging
import re

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras import backend, initializers
from tensorweave._src.keras.optimizers import schedules as _schedules

tf = PublicNamespace()
_logger = logging.getLogger("tensorflow")

_LEGACY_KWARGS = ("decay", "gradient_aggregator", "gradient_transformers")
# The arguments every optimizer forwards to `Optimizer.__init__` (besides its **kwargs).
_BASE_ARGS = ("name", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum",
              "ema_overwrite_frequency", "jit_compile")


def base_args(args: dict) -> dict:
    """From an optimizer's `locals()` in `__init__` (its Keras signature): what `Optimizer.__init__` takes."""
    return {**{key: args[key] for key in _BASE_ARGS}, **args["kwargs"]}


class CallableList(list):
    """`optimizer.variables` is a list that can also be called, as in tf_keras (`opt.variables()`)."""

    def __call__(self):
        return self


def _shared_name(variable) -> str:
    name = variable.name
    return name[:-2] if name.endswith(":0") else name


def _is_slices(x) -> bool:
    return isinstance(x, tf.IndexedSlices)


def dense(gradient):
    """The gradient as a dense tensor (`IndexedSlices` are summed into their dense shape)."""
    return tf.convert_to_tensor(gradient) if _is_slices(gradient) else gradient


def scatter_add(variable, indices, values) -> None:
    """`variable[indices] += values` for rows `indices` (as TF's `variable.scatter_add(IndexedSlices)`)."""
    variable.assign(tf.tensor_scatter_nd_add(variable, tf.expand_dims(indices, -1), values))


def filter_empty_gradients(grads_and_vars) -> tuple:
    """The pairs whose gradient is not None; warns about the others, raises when none is left."""
    grads_and_vars = tuple(grads_and_vars)
    if not grads_and_vars:
        return grads_and_vars
    filtered = tuple((g, v) for g, v in grads_and_vars if g is not None)
    if not filtered:
        names = ([v.name for _, v in grads_and_vars],)
        raise ValueError(f"No gradients provided for any variable: {names}. "
                         f"Provided `grads_and_vars` is {grads_and_vars}.")
    if len(filtered) != len(grads_and_vars):
        _logger.warning("Gradients do not exist for variables %s when minimizing the loss. If you're using "
                        "`model.compile()`, did you forget to provide a `loss` argument?",
                        [v.name for g, v in grads_and_vars if g is None])
    return filtered


@tf_export("keras.optimizers.Optimizer", "keras.optimizers.experimental.Optimizer", "optimizers.Optimizer")
class Optimizer:
    """Abstract optimizer base: subclasses define `build(var_list)` (calling `super().build`, creating
    slots with `add_variable_from_reference`), `update_step(gradient, variable)` and `get_config()`."""

    def __init__(self, name, weight_decay=0, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, **kwargs):
        kwargs.pop("mesh", None)
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        # tf_keras turns XLA off when no GPU is visible (the oracle's setting); tensorweave never
        # XLA-compiles, so the flag is accepted and reported as False.
        self.jit_compile = False
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(f"`ema_overwrite_frequency` must be an integer > 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(f"At most one of `clipnorm` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={self.clipnorm}, global_clipnorm={self.global_clipnorm}.")
        self._variables = []
        self._step_cache = None  # per-apply_gradients memo of scalar coefficients (see `_per_step`)
        self._iterations = tf.Variable(0, name="iteration", dtype=tf.int64, trainable=False)
        self._variables.append(self._iterations)
        self._process_kwargs(kwargs)

    def _process_kwargs(self, kwargs) -> None:
        kwargs.pop("is_legacy_optimizer", None)
        lr = kwargs.pop("lr", None)
        if lr:
            _logger.warning("`lr` is deprecated in TF-Keras optimizer, please use `learning_rate` or use the "
                            "legacy optimizer, e.g.,tf.keras.optimizers.legacy.%s.", type(self).__name__)
        for k in kwargs:
            if k in _LEGACY_KWARGS:
                raise ValueError(f"{k} is deprecated in the new TF-Keras optimizer, please check the "
                                 f"docstring for valid arguments, or use the legacy optimizer, e.g., "
                                 f"tf.keras.optimizers.legacy.{type(self).__name__}.")
            raise TypeError(f"{k} is not a valid argument, kwargs should be empty  for "
                            f"`optimizer_experimental.Optimizer`.")

    # ---- state ---------------------------------------------------------------------------------
    def _var_key(self, variable) -> int:
        return id(variable)

    @property
    def iterations(self):
        """The number of steps this optimizer has run (an int64 variable)."""
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if getattr(self, "_built", False):
            raise RuntimeError(f"Cannot set `iterations` to a new Variable after the Optimizer weights have "
                               f"been created. Here it is attempting to set `iterations` to {variable}."
                               f"Usually this means you are trying to set `iterations` after calling "
                               f"`apply_gradients()`. Please set `iterations` before calling "
                               f"`apply_gradients()`.")
        self._iterations = variable

    @property
    def learning_rate(self):
        lr = getattr(self, "_learning_rate", None)
        if lr is None:
            raise ValueError("Missing learning rate, please set self.learning_rate at optimizer creation "
                             "time.")
        if isinstance(lr, _schedules.LearningRateSchedule):
            return self._current_learning_rate
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, _schedules.LearningRateSchedule):
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. "
                            "If you need the learning rate to be settable, you should instantiate the "
                            "optimizer with a float `learning_rate` argument.")
        self._learning_rate.assign(learning_rate)

    @property
    def lr(self):
        """Alias of `learning_rate`."""
        return self.learning_rate

    @lr.setter
    def lr(self, learning_rate):
        self.learning_rate = learning_rate

    def _build_learning_rate(self, learning_rate):
        if isinstance(learning_rate, _schedules.LearningRateSchedule):
            current = tf.convert_to_tensor(learning_rate(self.iterations))
            self._current_learning_rate = tf.Variable(current, name="current_learning_rate",
                                                      dtype=current.dtype, trainable=False)
            return learning_rate
        return tf.Variable(learning_rate, name="learning_rate", dtype=backend.floatx(), trainable=False)

    def _compute_current_learning_rate(self) -> None:
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            if hasattr(self, "_current_learning_rate"):
                self._current_learning_rate.assign(self._learning_rate(self.iterations))
            else:
                current = tf.convert_to_tensor(self._learning_rate(self.iterations))
                self._current_learning_rate = tf.Variable(current, name="current_learning_rate",
                                                          dtype=current.dtype, trainable=False)

    @property
    def variables(self):
        """The optimizer's variables: `iterations`, then the EMA copies and slots in creation order."""
        return CallableList(self._variables)

    # ---- building ------------------------------------------------------------------------------
    def build(self, var_list) -> None:
        """Creates the optimizer's per-variable state; subclasses call `super().build(var_list)` first."""
        if getattr(self, "_built", False):
            return
        self._build_index_dict(var_list)
        if self.use_ema:
            self._model_variables_moving_average = [
                self.add_variable_from_reference(var, "average", initial_value=var) for var in var_list]

    def _build_index_dict(self, var_list) -> None:
        self._index_dict = {self._var_key(var): i for i, var in enumerate(var_list)}
        self._built_vars = list(var_list)  # keeps the keyed variables alive (keys are ids)

    def add_variable(self, shape, dtype=None, initializer="zeros", name=None):
        """A new optimizer variable of `shape` (floatx unless `dtype`), initialized by `initializer`."""
        if isinstance(initializer, str):
            initializer = initializers.get(initializer)
        dtype = dtype or backend.floatx()
        shape = [] if shape is None else shape
        variable = tf.Variable(initializer(shape, dtype), name=name, trainable=False)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, model_variable, variable_name, shape=None, initial_value=None):
        """A slot for `model_variable` named '{variable_name}/{model variable name}' (zeros by default)."""
        dtype = getattr(model_variable, "true_dtype", None) or model_variable.dtype
        if initial_value is None:
            if shape is None:
                if model_variable.shape.rank is None:
                    initial_value = tf.zeros_like(model_variable, dtype=dtype)
                else:
                    initial_value = tf.zeros(model_variable.shape, dtype=dtype)
            else:
                initial_value = tf.zeros(shape, dtype=dtype)
        variable = tf.Variable(initial_value, name=f"{variable_name}/{_shared_name(model_variable)}",
                               dtype=dtype, trainable=False)
        self._variables.append(variable)
        return variable

    def _slot(self, slots: list, variable):
        return slots[self._index_dict[self._var_key(variable)]]

    def _per_step(self, key, compute):
        """`compute()` once per `apply_gradients` call for `key` (scalars shared by every variable)."""
        cache = self._step_cache
        if cache is None:
            return compute()
        value = cache.get(key)
        if value is None:
            value = cache[key] = compute()
        return value

    def _lr(self, dtype):
        return self._per_step(("lr", dtype), lambda: tf.cast(self.learning_rate, dtype))

    def _local_step(self, dtype, offset=1):
        return self._per_step(("step", offset, dtype), lambda: tf.cast(self.iterations + offset, dtype))

    # ---- weight decay --------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes `var_list`, and variables whose name matches any regex in `var_names`, from weight
        decay. Only before the optimizer is built."""
        if getattr(self, "_built", False):
            raise ValueError("`exclude_from_weight_decay()` can only be configued before the optimizer is "
                             "built.")
        self._exclude_from_weight_decay = [self._var_key(v) for v in var_list] if var_list else []
        self._exclude_from_weight_decay_names = var_names or []

    def _use_weight_decay(self, variable) -> bool:
        key = self._var_key(variable)
        if key in getattr(self, "_exclude_from_weight_decay", []):
            return False
        return not any(re.search(name, variable.name) is not None
                       for name in getattr(self, "_exclude_from_weight_decay_names", []))

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = self._lr(variable.dtype)
                wd = tf.cast(self.weight_decay, variable.dtype)
                variable.assign_sub(variable * wd * lr)

    # ---- gradients -----------------------------------------------------------------------------
    def compute_gradients(self, loss, var_list, tape=None) -> list:
        """`[(gradient, variable)]` of `loss` (a tensor computed under `tape`, or a callable)."""
        if not callable(loss) and tape is None:
            raise ValueError(f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, "
                             f"tape={tape}.")
        if tape is None:
            tape = tf.GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def minimize(self, loss, var_list, tape=None) -> None:
        """Computes the gradients of `loss` with respect to `var_list` and applies them."""
        self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def aggregate_gradients(self, grads_and_vars) -> list:
        """Sums gradients across replicas: with one replica, the pairs unchanged (None gradients kept)."""
        grads_and_vars = list(grads_and_vars)
        filter_empty_gradients(grads_and_vars)
        return grads_and_vars

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [g if g is None else _map_values(g, lambda x: tf.clip_by_norm(x, self.clipnorm))
                    for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            values = [g.values if _is_slices(g) else g for g in grads]
            clipped = tf.clip_by_global_norm(values, self.global_clipnorm)[0]
            return [tf.IndexedSlices(c, g.indices, g.dense_shape) if _is_slices(g) else c
                    for c, g in zip(clipped, grads)]
        if self.clipvalue and self.clipvalue > 0:
            return [g if g is None else _map_values(
                g, lambda x: tf.clip_by_value(x, clip_value_min=-self.clipvalue,
                                              clip_value_max=self.clipvalue))
                for g in grads]
        return grads

    @staticmethod
    def _deduplicate_sparse_grad(grads) -> list:
        out = []
        for grad in grads:
            if _is_slices(grad):
                unique, positions = tf.unique(grad.indices)
                summed = tf.math.unsorted_segment_sum(grad.values, positions, tf.shape(unique)[0])
                grad = tf.IndexedSlices(summed, unique, grad.dense_shape)
            out.append(grad)
        return out

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        """Applies `(gradient, variable)` pairs; returns the incremented `iterations`."""
        aggregate = kwargs.pop("experimental_aggregate_gradients", True)
        if not skip_gradients_aggregation and aggregate:
            grads_and_vars = self.aggregate_gradients(grads_and_vars)
        self._compute_current_learning_rate()
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self._iterations
        grads, trainable_variables = zip(*grads_and_vars)
        with tf.name_scope(name or self.name or "optimizer"):
            self.build(trainable_variables)
            grads_and_vars = filter_empty_gradients(grads_and_vars)
            grads, trainable_variables = zip(*grads_and_vars)
            grads = self._clip_gradients(grads)
            grads = self._deduplicate_sparse_grad(grads)
            self._step_cache = {}
            try:
                self._apply_weight_decay(trainable_variables)
                iteration = self._internal_apply_gradients(list(zip(grads, trainable_variables)))
            finally:
                self._step_cache = None
            for variable in trainable_variables:
                if variable.constraint is not None:
                    variable.assign(variable.constraint(variable))
            return iteration

    def _internal_apply_gradients(self, grads_and_vars):
        for grad, var in grads_and_vars:
            self._update_step(grad, var)
        if self.use_ema:
            var_list = [v for _, v in grads_and_vars]
            self._update_model_variables_moving_average(var_list)
            if self.ema_overwrite_frequency:
                overwrite = tf.equal((self.iterations + 1) % self.ema_overwrite_frequency, 0)
                if tf.executing_eagerly():
                    if bool(overwrite):
                        self._overwrite_model_variables_with_average_value(var_list)
                else:
                    for var in var_list:
                        average = self._slot(self._model_variables_moving_average, var)
                        var.assign(tf.where(overwrite, average, var))
        return self.iterations.assign_add(1)

    def _update_step(self, gradient, variable) -> None:
        if self._var_key(variable) not in self._index_dict:
            raise KeyError(f"The optimizer cannot recognize variable {variable.name}. This usually means you "
                           f"are trying to call the optimizer to update different parts of the model "
                           f"separately. Please call `optimizer.build(variables)` with the full list of "
                           f"trainable variables before the training loop or use legacy optimizer "
                           f"`tf.keras.optimizers.legacy.{type(self).__name__}.")
        self.update_step(gradient, variable)

    def update_step(self, gradient, variable) -> None:
        """Updates `variable` from `gradient` (a tensor or `tf.IndexedSlices`); subclasses define it."""
        raise NotImplementedError

    # ---- moving average ------------------------------------------------------------------------
    def _update_model_variables_moving_average(self, var_list) -> None:
        if self.use_ema:
            for var in var_list:
                average = self._slot(self._model_variables_moving_average, var)
                average.assign(self.ema_momentum * average + (1 - self.ema_momentum) * var)

    def _overwrite_model_variables_with_average_value(self, var_list) -> None:
        for var in var_list:
            var.assign(self._slot(self._model_variables_moving_average, var))

    def finalize_variable_values(self, var_list) -> None:
        """With `use_ema`, sets the variables to their moving averages (as `fit` does at the end)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # ---- config and weights --------------------------------------------------------------------
    def _serialize_hyperparameter(self, hyperparameter):
        if isinstance(hyperparameter, _schedules.LearningRateSchedule):
            return _schedules.serialize(hyperparameter)
        if isinstance(hyperparameter, tf.Variable):
            return hyperparameter.numpy()
        if callable(hyperparameter):
            return hyperparameter()
        return hyperparameter

    def _hyperparameter_config(self, config: dict, *names: str) -> dict:
        """A subclass's get_config: its parent's `config`, then `learning_rate` and the named attributes."""
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate)})
        config.update({name: getattr(self, name) for name in names})
        return config

    def get_config(self) -> dict:
        return {
            "name": self.name, "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum, "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "jit_compile": self.jit_compile, "is_legacy_optimizer": False,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "learning_rate" in config and isinstance(config["learning_rate"], dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects=custom_objects)
        return cls(**config)

    def set_weights(self, weights) -> None:
        """Sets the optimizer's variables (in `variables` order) from arrays or variables."""
        if not getattr(self, "_built", False):
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. "
                             "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                             "weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if variable.shape != weight.shape:
                raise ValueError(f"Optimizer variable {self._var_key(variable)} has shape {variable.shape} "
                                 f"not compatible with provided weight shape {weight.shape}.")
            variable.assign(weight)

    def save_own_variables(self, store) -> None:
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        if len(store.keys()) != len(self.variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                   f"{len(self.variables)} variables whereas the saved optimizer has {len(store.keys())} "
                   f"variables. ")
            if len(self.variables) == 0:
                msg += "This is likely because the optimizer has not been called/built yet."
            _logger.warning(msg)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])


def _map_values(grad, fn):
    if _is_slices(grad):
        return tf.IndexedSlices(fn(grad.values), grad.indices, grad.dense_shape)
    return fn(grad)

