"""`tf.keras.callbacks.Callback`, `CallbackList`, `History` and `ProgbarLogger`.

Hooks run in tf_keras's order: on_train_begin, (on_epoch_begin, (on_train_batch_begin,
on_train_batch_end)*, [validation: on_test_begin ... on_test_end], on_epoch_end)*, on_train_end.
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.utils.progbar import Progbar


@tf_export("keras.callbacks.Callback")
class Callback:
    """Base class of callbacks: override the `on_*` hooks you need."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}
        self._supports_tf_logs = False

    def set_params(self, params) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    def on_batch_begin(self, batch, logs=None): pass  # noqa: E704
    def on_batch_end(self, batch, logs=None): pass  # noqa: E704
    def on_epoch_begin(self, epoch, logs=None): pass  # noqa: E704
    def on_epoch_end(self, epoch, logs=None): pass  # noqa: E704
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)  # noqa: E704
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)  # noqa: E704
    def on_test_batch_begin(self, batch, logs=None): pass  # noqa: E704
    def on_test_batch_end(self, batch, logs=None): pass  # noqa: E704
    def on_predict_batch_begin(self, batch, logs=None): pass  # noqa: E704
    def on_predict_batch_end(self, batch, logs=None): pass  # noqa: E704
    def on_train_begin(self, logs=None): pass  # noqa: E704
    def on_train_end(self, logs=None): pass  # noqa: E704
    def on_test_begin(self, logs=None): pass  # noqa: E704
    def on_test_end(self, logs=None): pass  # noqa: E704
    def on_predict_begin(self, logs=None): pass  # noqa: E704
    def on_predict_end(self, logs=None): pass  # noqa: E704


@tf_export("keras.callbacks.CallbackList")
class CallbackList:
    """Calls every callback's hook in turn; adds History and ProgbarLogger as `fit` does."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = list(callbacks or [])
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger(count_mode="steps"))
        if add_history:
            history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if history is None:
                history = History()
                self.callbacks.append(history)
            self._history = history
        self.model = model
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def set_model(self, model) -> None:
        self.model = model
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params) -> None:
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def append(self, callback) -> None:
        self.callbacks.append(callback)

    def _call(self, hook: str, *args) -> None:
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)  # noqa: E704
    def on_train_end(self, logs=None): self._call("on_train_end", logs)  # noqa: E704
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)  # noqa: E704
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)  # noqa: E704
    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs)  # noqa: E704,E501
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs)  # noqa: E704
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)  # noqa: E704
    def on_test_end(self, logs=None): self._call("on_test_end", logs)  # noqa: E704
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs)  # noqa: E704
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs)  # noqa: E704
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)  # noqa: E704
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)  # noqa: E704
    def on_predict_batch_begin(self, batch, logs=None): self._call("on_predict_batch_begin", batch, logs)  # noqa: E704,E501
    def on_predict_batch_end(self, batch, logs=None): self._call("on_predict_batch_end", batch, logs)  # noqa: E704,E501

    def __iter__(self):
        return iter(self.callbacks)


@tf_export("keras.callbacks.History")
class History(Callback):
    """Records each epoch's logs in `history` (`model.fit` returns it)."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


@tf_export("keras.callbacks.ProgbarLogger")
class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a progress bar per epoch (verbose 1) or one line per epoch (verbose 2)."""

    def __init__(self, count_mode: str = "samples", stateful_metrics=None):
        super().__init__()
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params) -> None:
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps") if self.use_steps else params.get("samples")

    def on_train_begin(self, logs=None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs=None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._batch_update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._batch_update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.model is not None:  # compiled metrics report epoch-level values: show them as given
            self.stateful_metrics |= {m.name for m in getattr(self.model, "metrics", [])}
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics,
                                   unit_name="step" if self.use_steps else "sample")
        self.progbar.stateful_metrics |= self.stateful_metrics  # metrics built by the first step count too

    def _batch_update_progbar(self, batch, logs=None) -> None:
        logs = dict(logs or {})
        self._maybe_init_progbar()
        self.seen = batch + 1 if self.use_steps else self.seen + logs.pop("size", 1)
        logs.pop("batch", None)
        logs.pop("size", None)
        if self.verbose == 1:
            self.progbar.update(self.seen, [(k, _scalar(v)) for k, v in logs.items()], finalize=False)

    def _finalize_progbar(self, logs) -> None:
        logs = {k: _scalar(v) for k, v in (logs or {}).items()}
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, list(logs.items()), finalize=True)


def _scalar(value):
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        return value
