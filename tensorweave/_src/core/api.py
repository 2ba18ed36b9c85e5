"""Public exports of the core: dtypes, TensorShape, Tensor, constant/convert_to_tensor, errors."""

from __future__ import annotations

from tensorweave._src.api_export import export, tf_export
from tensorweave._src.core import context, convert, dtypes, errors, name_scope, shape, tensor, variable

for _d in dtypes.ALL:
    export(_d.name, _d)
    export("dtypes." + _d.name, _d)
for _alias, _d in (("double", dtypes.float64), ("half", dtypes.float16)):
    export(_alias, _d)
    export("dtypes." + _alias, _d)
export("DType", dtypes.DType)
export("dtypes.DType", dtypes.DType)
export("as_dtype", dtypes.as_dtype)
export("dtypes.as_dtype", dtypes.as_dtype)
export("TensorShape", shape.TensorShape)
export("compat.dimension_value", shape.dimension_value)
export("Tensor", tensor.Tensor)
export("is_tensor", tensor.is_tensor)
export("constant", convert.constant)
tf_export("convert_to_tensor", dispatch=True)(convert.convert_to_tensor)  # dispatchable, as in TF
export("executing_eagerly", context.executing_eagerly)
export("newaxis", None)
export("name_scope", name_scope.name_scope)
export("Variable", variable.Variable)
export("VariableAggregation", variable.VariableAggregation)
export("VariableSynchronization", variable.VariableSynchronization)

for _name in ("OpError", "CancelledError", "UnknownError", "InvalidArgumentError", "DeadlineExceededError",
              "NotFoundError", "AlreadyExistsError", "PermissionDeniedError", "ResourceExhaustedError",
              "FailedPreconditionError", "AbortedError", "OutOfRangeError", "UnimplementedError",
              "InternalError", "UnavailableError", "DataLossError", "UnauthenticatedError"):
    export("errors." + _name, getattr(errors, _name))
for _name in ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
              "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
              "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
              "UNAUTHENTICATED"):
    export("errors." + _name, getattr(errors, _name))
