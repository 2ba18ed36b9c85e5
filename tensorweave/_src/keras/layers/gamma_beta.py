"""The optional `gamma` scale and `beta` offset that BatchNormalization, LayerNormalization and
GroupNormalization share: their initializer / regularizer / constraint arguments, weights and config."""

from __future__ import annotations

from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.layers import _utils


class GammaBetaMixin:
    """For a Layer with `center` (adds `beta`) and `scale` (adds `gamma`) attributes."""

    def _init_gamma_beta(
        self,
        beta_initializer,
        gamma_initializer,
        beta_regularizer,
        gamma_regularizer,
        beta_constraint,
        gamma_constraint,
    ) -> None:
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _add_gamma_beta(self, shape, **weight_kwargs) -> None:
        """`gamma` (if `scale`) then `beta` (if `center`) of `shape`; None when left out."""
        self.gamma = self._add_param("gamma", shape, weight_kwargs) if self.scale else None
        self.beta = self._add_param("beta", shape, weight_kwargs) if self.center else None

    def _add_param(self, name: str, shape, weight_kwargs: dict):
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=getattr(self, f"{name}_initializer"),
            regularizer=getattr(self, f"{name}_regularizer"),
            constraint=getattr(self, f"{name}_constraint"),
            **weight_kwargs,
        )

    def _gamma_beta_config(self, *more_initializers: str) -> dict:
        """The config entries, in Keras's order; `more_initializers` (attribute names) follow gamma's."""
        config = {
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }
        for name in more_initializers:
            config[name] = initializers.serialize(getattr(self, name))
        config.update(
            {
                "beta_regularizer": _utils.maybe_serialize(regularizers.serialize, self.beta_regularizer),
                "gamma_regularizer": _utils.maybe_serialize(regularizers.serialize, self.gamma_regularizer),
                "beta_constraint": _utils.maybe_serialize(constraints.serialize, self.beta_constraint),
                "gamma_constraint": _utils.maybe_serialize(constraints.serialize, self.gamma_constraint),
            }
        )
        return config
