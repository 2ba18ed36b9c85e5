"""`compile`, `fit`, `evaluate`, `predict` and the step functions of `tf.keras.Model` (Keras 2 semantics).

The per-batch steps (`train_step`, `test_step`, `predict_step`) are overridable; by default `fit` runs
`train_step` as one tf.function graph (forward, gradients and the optimizer update), unless
`run_eagerly=True`.
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
        """Configures the model for training: optimizer, loss(es), metrics."""
        self.optimizer = tf.keras.optimizers.get(optimizer)
        if isinstance(loss, str):
            tf.keras.losses.get(loss)  # unknown names fail now, before any training
        for m in nest.flatten(metrics) if metrics is not None else []:
            if isinstance(m, str) and m not in ("accuracy", "acc", "crossentropy", "ce"):
                tf.keras.metrics.get(m)
        self.compiled_loss = compile_utils.LossesContainer(loss, loss_weights)
        self.compiled_metrics = compile_utils.MetricsContainer(metrics, weighted_metrics, loss)
        self.loss = loss
        self._run_eagerly = run_eagerly
        self._jit_compile = bool(jit_compile)
        self.train_function = self.test_function = self.predict_function = None
        self.compiled = True
        self._is_compiled = True

    @property
    def run_eagerly(self) -> bool:
        return bool(getattr(self, "_run_eagerly", False)) or tf.config.functions_run_eagerly()

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        self._run_eagerly = value

    @property
    def metrics(self) -> list:
        out = []
        if getattr(self, "compiled", False):
            out += self.compiled_loss.metrics + self.compiled_metrics.metrics
        for layer in self._flatten_layers(include_self=False):
            out += [m for m in getattr(layer, "_metric_objects", [])]
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # ---- steps -------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        return self.compiled_loss(self, y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        self.compiled_metrics.update_state(self, y, y_pred, sample_weight)
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

    def train_step(self, data):
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
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
        """Trains for `epochs` epochs; returns the History."""
        self._assert_compiled("fit")
        verbose = 1 if verbose == "auto" else verbose
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split)
        handler = data_adapter.DataHandler(x, y, sample_weight, batch_size=batch_size,
                                           steps_per_epoch=steps_per_epoch, initial_epoch=initial_epoch,
                                           epochs=epochs, shuffle=shuffle, class_weight=class_weight, model=self)
        callbacks = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=epochs,
            steps=handler.inferred_steps)
        train_function = self.make_train_function()
        self.stop_training = False
        callbacks.on_train_begin()
        logs = {}
        for epoch, batches in handler.enumerate_epochs():
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            step = 0
            for step, batch in enumerate(batches):
                callbacks.on_train_batch_begin(step)
                logs = train_function(batch)
                callbacks.on_train_batch_end(step, _numpy_logs(logs))
                if self.stop_training:
                    break
            epoch_logs = _numpy_logs(logs)
            if validation_data is not None and _should_validate(epoch, validation_freq):
                vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(validation_data)
                val_logs = self.evaluate(vx, vy, sample_weight=vsw, batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps, callbacks=callbacks, return_dict=True,
                                         verbose=0, _in_fit=True)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks.on_train_end(logs=_numpy_logs(logs))
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False, return_dict=False,
                 _in_fit=False, **kwargs):
        """Returns the loss and metrics on the data (a list, a scalar, or a dict with return_dict)."""
        self._assert_compiled("evaluate")
        verbose = 1 if verbose == "auto" else verbose
        handler = data_adapter.DataHandler(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                                     steps=handler.inferred_steps)
        test_function = self.make_test_function()
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        for _, batches in handler.enumerate_epochs():
            for step, batch in enumerate(batches):
                callbacks.on_test_batch_begin(step)
                logs = test_function(batch)
                callbacks.on_test_batch_end(step, _numpy_logs(logs))
        logs = _numpy_logs(logs)
        callbacks.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs] or list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=10,
                workers=1, use_multiprocessing=False):
        """Runs the model on `x` batch by batch; returns numpy outputs (same structure as the model's)."""
        verbose = 1 if verbose == "auto" else verbose
        handler = data_adapter.DataHandler(x, batch_size=batch_size, steps_per_epoch=steps)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                                     steps=handler.inferred_steps)
        predict_function = self.make_predict_function()
        callbacks.on_predict_begin()
        outputs = []
        for _, batches in handler.enumerate_epochs():
            for step, batch in enumerate(batches):
                callbacks.on_predict_batch_begin(step)
                out = predict_function(batch)
                outputs.append(nest.map_structure(lambda t: np.asarray(t), out))
                callbacks.on_predict_batch_end(step, {"outputs": out})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                             "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                             "for more information of where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        self._assert_compiled("train_on_batch")
        if reset_metrics:
            self.reset_metrics()
        logs = _numpy_logs(self.make_train_function()(data_adapter.pack_x_y_sample_weight(
            _as_tensors(x), _as_tensors(y), _as_tensors(sample_weight))))
        return logs if return_dict else _as_list(self, logs)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compiled("test_on_batch")
        if reset_metrics:
            self.reset_metrics()
        logs = _numpy_logs(self.make_test_function()(data_adapter.pack_x_y_sample_weight(
            _as_tensors(x), _as_tensors(y), _as_tensors(sample_weight))))
        return logs if return_dict else _as_list(self, logs)

    def predict_on_batch(self, x):
        out = self.make_predict_function()((_as_tensors(x),))
        return nest.map_structure(lambda t: np.asarray(t), out)

    def _assert_compiled(self, method: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")


def _as_tensors(x):
    return None if x is None else nest.map_structure(tf.convert_to_tensor, x)


def _as_list(model, logs: dict):
    values = [logs[name] for name in model.metrics_names if name in logs] or list(logs.values())
    return values[0] if len(values) == 1 else values


def _numpy_logs(logs) -> dict:
    return {k: float(np.asarray(v)) if np.ndim(v) == 0 else np.asarray(v) for k, v in (logs or {}).items()}


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq
