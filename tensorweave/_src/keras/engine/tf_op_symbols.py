"""How TF records a public function called on KerasTensors, where that is not simply "a TFOpLambda named
after the function, with the arguments the caller passed" (all recorded from TF 2.21 + tf_keras):

- GEN_OPS: functions that are TF's generated op wrappers. Their dispatch hands Keras every argument by
  keyword, so the node records all of them with their defaults (`tf.nn.relu(x)` -> {'name': None}).
- V1_CALLS: TF 2 functions whose body first calls their TF 1 version, which is what dispatches: the layer
  is named after the TF 1 symbol and records the arguments of that inner call
  (`tf.shape(x)` -> 'tf.compat.v1.shape' with {'name': None, 'out_type': tf.int32}).
- V1_FUNCTIONS: those TF 1 symbols, so a TFOpLambda restored from a config can call them.
- REWRITES: functions whose body applies another dispatchable operation to the KerasTensor
  (`tf.math.divide(x, y)` is `x / y`; `tf.concat([x], 1)` is `tf.identity(x, name='concat')`).
"""

from __future__ import annotations

from typing import Callable

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras.engine.keras_tensor import KerasTensor

tf = PublicNamespace()

GEN_OPS = frozenset({
    "bitcast", "bitwise.bitwise_and", "bitwise.bitwise_or", "bitwise.bitwise_xor", "bitwise.invert",
    "broadcast_to", "io.matching_files", "io.parse_tensor", "io.write_file", "linalg.band_part",
    "linalg.cholesky", "linalg.det", "linalg.inv", "linalg.qr", "linalg.solve", "math.acosh", "math.asin",
    "math.asinh", "math.atan", "math.atan2", "math.atanh", "math.cos", "math.cosh", "math.digamma",
    "math.erf", "math.erfc", "math.expm1", "math.floormod", "math.greater", "math.greater_equal",
    "math.is_finite", "math.is_inf", "math.is_nan", "math.less", "math.less_equal", "math.lgamma",
    "math.log", "math.log1p", "math.logical_and", "math.logical_not", "math.logical_or", "math.maximum",
    "math.minimum", "math.negative", "math.reciprocal", "math.segment_max", "math.segment_mean",
    "math.segment_min", "math.segment_prod", "math.segment_sum", "math.sin", "math.sinh", "math.square",
    "math.squared_difference", "math.tan", "math.tanh", "math.unsorted_segment_max",
    "math.unsorted_segment_min", "math.unsorted_segment_prod", "math.unsorted_segment_sum", "math.xlogy",
    "nn.elu", "nn.l2_loss", "nn.local_response_normalization", "nn.relu", "nn.selu", "nn.softsign",
    "realdiv", "reverse", "scatter_nd", "strings.as_string", "strings.lower", "strings.strip",
    "strings.upper", "tensor_scatter_nd_add", "tensor_scatter_nd_max", "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub", "tile", "truncatediv",
})

# symbols recorded as SlicingOpLambda rather than TFOpLambda
SLICING = frozenset({"__operators__.getitem", "compat.v1.boolean_mask", "boolean_mask"})


# ---- TF 2 function -> (TF 1 symbol, its first argument and keyword arguments as TF 2 passes them) ----
def _shape_like(input, out_type=None, name=None):
    return input, {"name": name, "out_type": tf.int32 if out_type is None else out_type}


def _transpose(a, perm=None, conjugate=False, name="transpose"):
    return a, {"perm": perm, "name": name, "conjugate": conjugate}


def _squeeze(input, axis=None, name=None):
    return input, {"axis": axis, "name": name}


def _pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    return tensor, {"paddings": paddings, "mode": mode, "name": name, "constant_values": constant_values}


def _gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    return params, {"indices": indices, "validate_indices": validate_indices, "name": name, "axis": axis,
                    "batch_dims": batch_dims}


def _gather_nd(params, indices, batch_dims=0, name=None):
    return params, {"indices": indices, "name": name, "batch_dims": batch_dims, "bad_indices_policy": ""}


def _boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    return tensor, {"mask": mask, "name": name, "axis": axis}


def _norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    return tensor, {"ord": ord, "axis": axis, "keepdims": keepdims, "name": name}


def _floordiv(x, y, name=None):
    return x, {"y": y, "name": name}


def _sigmoid_xent(labels=None, logits=None, name=None):
    return labels, {"logits": logits, "name": name}


def _softmax_xent(labels, logits, axis=-1, name=None):
    return labels, {"logits": logits, "axis": axis, "name": name}


def _embedding_lookup(params, ids, max_norm=None, name=None):
    return params, {"ids": ids, "partition_strategy": "div", "name": name, "max_norm": max_norm}


def _crelu(features, axis=-1, name=None):
    return features, {"name": name, "axis": axis}


V1_CALLS: dict[str, tuple[str, Callable]] = {
    "shape": ("compat.v1.shape", _shape_like),
    "size": ("compat.v1.size", _shape_like),
    "transpose": ("compat.v1.transpose", _transpose),
    "squeeze": ("compat.v1.squeeze", _squeeze),
    "pad": ("compat.v1.pad", _pad),
    "gather": ("compat.v1.gather", _gather),
    "gather_nd": ("compat.v1.gather_nd", _gather_nd),
    "boolean_mask": ("compat.v1.boolean_mask", _boolean_mask),
    "norm": ("compat.v1.norm", _norm),
    "math.floordiv": ("compat.v1.floor_div", _floordiv),
    "nn.sigmoid_cross_entropy_with_logits": ("compat.v1.nn.sigmoid_cross_entropy_with_logits", _sigmoid_xent),
    "nn.softmax_cross_entropy_with_logits": ("compat.v1.nn.softmax_cross_entropy_with_logits_v2",
                                             _softmax_xent),
    "nn.embedding_lookup": ("compat.v1.nn.embedding_lookup", _embedding_lookup),
    "nn.crelu": ("compat.v1.nn.crelu", _crelu),
}


# ---- the TF 1 functions, on the TF 2 ones --------------------------------------------------------------
def _v1_shape(input, name=None, out_type=None):
    return tf.shape(input, out_type=tf.int32 if out_type is None else out_type, name=name)


def _v1_size(input, name=None, out_type=None):
    return tf.size(input, out_type=tf.int32 if out_type is None else out_type, name=name)


def _v1_transpose(a, perm=None, name="transpose", conjugate=False):
    return tf.transpose(a, perm=perm, conjugate=conjugate, name=name)


def _v1_squeeze(input, axis=None, name=None):
    return tf.squeeze(input, axis=axis, name=name)


def _v1_pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    return tf.pad(tensor, paddings, mode=mode, constant_values=constant_values, name=name)


def _v1_gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    return tf.gather(params, indices, axis=axis, batch_dims=batch_dims, name=name)


def _v1_gather_nd(params, indices, name=None, batch_dims=0, bad_indices_policy=""):
    return tf.gather_nd(params, indices, batch_dims=batch_dims, name=name)


def _v1_boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    return tf.boolean_mask(tensor, mask, axis=axis, name=name)


def _v1_norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    return tf.norm(tensor, ord=ord, axis=axis, keepdims=bool(keepdims), name=name)


def _v1_floor_div(x, y, name=None):
    return tf.math.floordiv(x, y, name=name)


def _v1_sigmoid_xent(labels=None, logits=None, name=None):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def _v1_softmax_xent(labels, logits, axis=-1, name=None):
    return tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis, name=name)


def _v1_embedding_lookup(params, ids, partition_strategy="div", name=None, validate_indices=True,
                         max_norm=None):
    return tf.nn.embedding_lookup(params, ids, max_norm=max_norm, name=name)


def _v1_crelu(features, name=None, axis=-1):
    return tf.nn.crelu(features, axis=axis, name=name)


V1_FUNCTIONS: dict[str, Callable] = {
    "compat.v1.shape": _v1_shape, "compat.v1.size": _v1_size, "compat.v1.transpose": _v1_transpose,
    "compat.v1.squeeze": _v1_squeeze, "compat.v1.pad": _v1_pad, "compat.v1.gather": _v1_gather,
    "compat.v1.gather_nd": _v1_gather_nd, "compat.v1.boolean_mask": _v1_boolean_mask,
    "compat.v1.norm": _v1_norm, "compat.v1.floor_div": _v1_floor_div,
    "compat.v1.nn.sigmoid_cross_entropy_with_logits": _v1_sigmoid_xent,
    "compat.v1.nn.softmax_cross_entropy_with_logits_v2": _v1_softmax_xent,
    "compat.v1.nn.embedding_lookup": _v1_embedding_lookup, "compat.v1.nn.crelu": _v1_crelu,
}


# ---- functions TF writes with another dispatchable operation on the KerasTensor ---------------------
def _divide(x, y, name=None):
    # TF: `x / y` when no name is given (the KerasTensor operator records math.truediv)
    if name is None and isinstance(x, KerasTensor):
        return x / y
    return NotImplemented


def _concat(values, axis, name="concat"):
    # TF: one value is returned through tf.identity
    if isinstance(values, (list, tuple)) and len(values) == 1:
        return tf.identity(values[0], name=name)
    return NotImplemented


REWRITES: dict[str, Callable] = {"math.divide": _divide, "concat": _concat}
