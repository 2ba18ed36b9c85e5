"""`compile`, `fit`, `evaluate`, `predict` and the step functions of `tf.keras.Model` (Keras 2 semantics).

The per-batch steps (`train_step`, `test_step`, `predict_step`) are overridable, as in the Keras guide's
custom-fit pattern (`self.compiled_loss`, `self.compiled_metrics`, `self.compute_loss`, `self.metrics`);
by default `fit` runs `train_step` as one tf.function graph (forward, gradients and the optimizer
update), unless `run_eagerly=True`.
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras.callbacks.base import CallbackList
from tensorweave._src.keras.engine import compile_utils, data_adapter
from tensorweave._src.util import nest

tf = PublicNamespace()


class TrainingMixin:
    """The training APIs of Model (kept apart from the layer-container parts in training.py)."""

    # ---- compile -----------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=None, jit_compile=None, pss_evaluation_shards=0,
                **kwargs) -> None:
        """Configures the model for training: optimizer, loss(es), metrics. Loss and metric names are
        resolved on the first batch, as Keras 2 does (an unknown name fails in the first `fit`)."""
        for key in kwargs:
            if key not in ("experimental_steps_per_execution", "sample_weight_mode", "target_tensors",
                           "distribute"):
                raise TypeError(f"Invalid keyword argument(s) in `compile()`: {({key})}. Valid keyword "
                                f"arguments include \"cloning\", \"experimental_run_tf_function\", "
                                f"\"distribute\","
                                f" \"target_tensors\", or \"sample_weight_mode\".")
        self.optimizer = tf.keras.optimizers.get(optimizer)
        output_names = getattr(self, "output_names", None)
        if hasattr(loss, "__call__") and isinstance(loss, compile_utils.LossesContainer):
            self.compiled_loss = loss
        else:
            self.compiled_loss = compile_utils.LossesContainer(loss, loss_weights, output_names=output_names)
        self.compiled_metrics = compile_utils.MetricsContainer(metrics, weighted_metrics,
                                                               output_names=output_names)
        self.loss = loss or {}
        self._run_eagerly = run_eagerly
        self._jit_compile = bool(jit_compile)
        self._steps_per_execution = steps_per_execution or 1
        self.train_function = self.test_function = self.predict_function = None
        self.compiled = True
        self._is_compiled = True

    @property
    def run_eagerly(self) -> bool:
        return bool(getattr(self, "_run_eagerly", False)) or tf.config.functions_run_eagerly()

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        self._run_eagerly = value
        self.train_function = self.test_function = self.predict_function = None

    @property
    def jit_compile(self) -> bool:
        return bool(getattr(self, "_jit_compile", False))

    @jit_compile.setter
    def jit_compile(self, value) -> None:
        self._jit_compile = bool(value)
        self.train_function = self.test_function = self.predict_function = None

    @property
    def distribute_strategy(self):
        return tf.distribute.get_strategy()

    @property
    def metrics(self) -> list:
        """The compiled loss trackers ('loss', '<output>_loss'), the compiled metrics, then metrics the
        layers track, in Keras 2's order; empty until the model has trained or evaluated."""
        out = []
        if getattr(self, "compiled", False):
            if getattr(self, "compiled_loss", None) is not None:
                out += self.compiled_loss.metrics
            if getattr(self, "compiled_metrics", None) is not None:
                out += self.compiled_metrics.metrics
        compiled = {id(m) for m in out}
        for layer in self._flatten_layers(include_self=True):
            out += [m for m in getattr(layer, "_metric_objects", [])]
            out += [m for m in _metric_attributes(layer) if id(m) not in compiled]  # Metric attributes
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # ---- steps -------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        del x
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        del x
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        out = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[m.name] = result
        return out

    def _validate_target_and_loss(self, y, loss) -> None:
        if loss is None:
            if y is None:
                raise ValueError("Target data is missing. Your model was compiled with "
                                 f"loss={self.loss}, and therefore expects target data to be provided "
                                 f"in `fit()`.")
            raise ValueError("No loss found. You may have forgotten to provide a `loss` argument in the "
                             "`compile()` method.")

    def train_step(self, data):
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, attr: str, step):
        fn = getattr(self, attr, None)
        if fn is None:
            fn = step if self.run_eagerly else tf.function(step, reduce_retracing=True,
                                                           jit_compile=getattr(self, "_jit_compile", False))
            setattr(self, attr, fn)
        return fn

    def make_train_function(self, force: bool = False):
        if force:
            self.train_function = None
        return self._step_function("train_function", self.train_step)

    def make_test_function(self, force: bool = False):
        if force:
            self.test_function = None
        return self._step_function("test_function", self.test_step)

    def make_predict_function(self, force: bool = False):
        if force:
            self.predict_function = None
        return self._step_function("predict_function", self.predict_step)

    # ---- fit / evaluate / predict ------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False):
        """Trains for `epochs` epochs (from `initial_epoch`); returns the History. Validation runs after
        the epochs that `validation_freq` selects."""
        self._assert_compiled("fit")
        verbose = _verbosity(verbose)
        if validation_split and validation_data is None:
            if data_adapter.is_dataset_or_generator(x):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, found "
                                 f"following types in the input: {[type(x)]}")
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split)
        if validation_data is not None:
            val_x, val_y, val_sample_weight = data_adapter.unpack_x_y_sample_weight(validation_data)
        handler = data_adapter.DataHandler(x, y, sample_weight, batch_size=batch_size,
                                           steps_per_epoch=steps_per_epoch, initial_epoch=initial_epoch,
                                           epochs=epochs, shuffle=shuffle, class_weight=class_weight,
                                           model=self)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=handler.inferred_steps)
        self.stop_training = False
        train_function = _StepRunner(self.make_train_function(), handler)
        callbacks.on_train_begin()
        training_logs = None
        logs = None
        for epoch, batches in handler.enumerate_epochs():
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            for step, batch in batches:
                callbacks.on_train_batch_begin(step)
                logs = train_function(batch)
                callbacks.on_train_batch_end(step, _numpy_logs(logs))
                if self.stop_training:
                    break
            if handler.ran_out:
                self.stop_training = True
            logs = _numpy_logs(logs)
            if logs is None:
                raise ValueError("Unexpected result of `train_function` (Empty logs). This could be due to "
                                 "issues in input pipeline that resulted in an empty dataset. "
                                 "Otherwise, please "
                                 "use `Model.compile(..., run_eagerly=True)`, or "
                                 "`tf.config.run_functions_eagerly"
                                 "(True)` for more information of where went wrong, or file a issue/bug to "
                                 "`tf.keras`.")
            epoch_logs = dict(logs)
            if validation_data is not None and _should_eval(epoch, validation_freq):
                val_logs = self.evaluate(x=val_x, y=val_y, sample_weight=val_sample_weight,
                                         batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps,
                                         callbacks=callbacks, return_dict=True)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callbacks.on_train_end(logs=training_logs)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False, return_dict=False,
                 **kwargs):
        """The loss and metrics on the data: a scalar, a list in `metrics_names` order, or a dict."""
        self._assert_compiled("evaluate")
        for key in kwargs:
            if key != "_use_cached_eval_dataset":
                raise TypeError(f"Invalid keyword arguments: {list(kwargs.keys())}")
        verbose = _verbosity(verbose)
        handler = data_adapter.DataHandler(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps,
                                           model=self)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1,
                                     steps=handler.inferred_steps)
        test_function = _StepRunner(self.make_test_function(), handler)
        callbacks.on_test_begin()
        logs = None
        for _, batches in handler.enumerate_epochs():
            self.reset_metrics()
            for step, batch in batches:
                callbacks.on_test_batch_begin(step)
                logs = test_function(batch)
                callbacks.on_test_batch_end(step, _numpy_logs(logs))
        logs = _numpy_logs(logs)
        if logs is None:
            raise ValueError("Unexpected result of `test_function` (Empty logs). This could be due to issues "
                             "in input pipeline that resulted in an empty dataset.")
        callbacks.on_test_end(logs=logs)
        if return_dict:
            return logs
        return _flatten_metrics_in_order(logs, self.metrics_names)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=10,
                workers=1, use_multiprocessing=False):
        """Runs the model on `x` batch by batch; returns numpy outputs (same structure as the model's)."""
        verbose = _verbosity(verbose)
        handler = data_adapter.DataHandler(x, batch_size=batch_size, steps_per_epoch=steps, model=self,
                                           predict=True)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1,
                                     steps=handler.inferred_steps)
        predict_function = _StepRunner(self.make_predict_function(), handler)
        callbacks.on_predict_begin()
        outputs = []
        for _, batches in handler.enumerate_epochs():
            for step, batch in batches:
                callbacks.on_predict_batch_begin(step)
                out = predict_function(batch)
                outputs.append(nest.map_structure(lambda t: np.asarray(t), out))
                callbacks.on_predict_batch_end(step, {"outputs": out})
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                             "`Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` "
                             "for more information of where went wrong, or file a issue/bug to `tf.keras`.")
        callbacks.on_predict_end()
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One optimizer step on one batch; returns the loss and metrics (scalar, list or dict)."""
        self._assert_compiled("train_on_batch")
        if reset_metrics:
            self.reset_metrics()
        batch = data_adapter.single_batch(x, y, sample_weight, class_weight)
        logs = _numpy_logs(self.make_train_function()(batch))
        return logs if return_dict else _flatten_metrics_in_order(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compiled("test_on_batch")
        if reset_metrics:
            self.reset_metrics()
        batch = data_adapter.single_batch(x, y, sample_weight)
        logs = _numpy_logs(self.make_test_function()(batch))
        return logs if return_dict else _flatten_metrics_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x):
        out = self.make_predict_function()(data_adapter.single_batch(x))
        return nest.map_structure(lambda t: np.asarray(t), out)

    def _assert_compiled(self, method: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")


class _StepRunner:
    """Runs a step function on the batches of one DataHandler as Keras does: Keras calls its tf.function
    on the dataset iterator, so it is traced once for the data's TensorSpecs (batch dimension unknown),
    and a smaller last batch reuses that trace."""

    def __init__(self, fn, handler):
        self._fn = fn
        self._handler = handler
        self._concrete = None

    def __call__(self, batch):
        if self._concrete is None:
            traced = hasattr(self._fn, "get_concrete_function") and not tf.config.functions_run_eagerly()
            spec = self._handler.batch_spec(batch) if traced else None
            self._concrete = self._fn if spec is None else self._fn.get_concrete_function(spec)
        return self._concrete(batch)


def _metric_attributes(layer) -> list:
    """Metrics assigned as attributes of a layer or model (Keras 2 tracks them in `_metrics`)."""
    from tensorweave._src.keras.metrics.base_metric import Metric

    out, seen = [], set()
    for key, value in vars(layer).items():
        if key.startswith("compiled_") or key == "history":
            continue
        for v in (value if isinstance(value, (list, tuple)) else [value]):
            if isinstance(v, Metric) and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def _verbosity(verbose):
    return 1 if verbose == "auto" else verbose


def _flatten_metrics_in_order(logs: dict, metrics_names: list):
    """Keras's order of evaluate/train_on_batch results: `metrics_names` first, then the other keys
    sorted; one value alone is returned as a scalar."""
    results = [logs[name] for name in metrics_names if name in logs]
    results += [logs[k] for k in sorted(logs) if k not in metrics_names]
    return results[0] if len(results) == 1 else results


def _numpy_logs(logs):
    if logs is None:
        return None
    out = {}
    for k, v in logs.items():
        v = np.asarray(v)
        out[k] = v.item() if v.ndim == 0 else v
    return out


def _should_eval(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    if isinstance(freq, (list, tuple, set)):
        return epoch + 1 in freq
    raise ValueError(f"Expected `validation_freq` to be a list or int. Received: validation_freq={freq} "
                     f"of the "
                     f"type {type(freq)}.")
