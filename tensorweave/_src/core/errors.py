"""`tf.errors`: OpError and its subclasses, with TF's error codes.

>>> import tensorweave as tf
>>> try:
...     tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
... except tf.errors.InvalidArgumentError as e:
...     print(type(e).__name__)
InvalidArgumentError
"""

from __future__ import annotations

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = (
    10, 11, 12, 13, 14, 15, 16)


class OpError(Exception):
    """The base class of errors raised while running an op: `str(e)` is the message."""

    _code = UNKNOWN

    def __init__(self, node_def, op, message, error_code, *args):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code
        self._experimental_payloads = args[0] if args else {}

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    @property
    def error_code(self) -> int:
        return self._error_code

    @property
    def experimental_payloads(self) -> dict:
        return self._experimental_payloads

    def __str__(self) -> str:
        return self._message

    def __reduce__(self):
        if type(self) is OpError:
            return OpError, (self._node_def, self._op, self._message, self._error_code)
        return type(self), (self._node_def, self._op, self._message)


def _subclass(name: str, code: int, base=OpError):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code, *args)

    cls = type(name, (base,), {"__init__": __init__, "_code": code, "__module__": __name__,
                               "__doc__": f"TF's {name} (error code {code})."})
    return cls


CancelledError = _subclass("CancelledError", CANCELLED)
UnknownError = _subclass("UnknownError", UNKNOWN)
InvalidArgumentError = _subclass("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _subclass("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _subclass("NotFoundError", NOT_FOUND)
AlreadyExistsError = _subclass("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _subclass("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _subclass("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _subclass("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _subclass("AbortedError", ABORTED)
OutOfRangeError = _subclass("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _subclass("UnimplementedError", UNIMPLEMENTED)
InternalError = _subclass("InternalError", INTERNAL)
UnavailableError = _subclass("UnavailableError", UNAVAILABLE)
DataLossError = _subclass("DataLossError", DATA_LOSS)
UnauthenticatedError = _subclass("UnauthenticatedError", UNAUTHENTICATED)

_BY_CODE = {c._code: c for c in (
    CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
    AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError, FailedPreconditionError,
    AbortedError, OutOfRangeError, UnimplementedError, InternalError, UnavailableError, DataLossError,
    UnauthenticatedError)}


def exception_type_from_error_code(error_code: int):
    return _BY_CODE[error_code]


def error_code_from_exception_type(cls) -> int:
    return cls._code


def op_error(cls, op_name: str, message: str) -> OpError:
    """An error of eager op `op_name` as TF words it (core/op_messages.py): the kernel's prefix when
    TF raises it from the kernel, the message, then ` [Op:Name] name: `. `dispatch.bind` rewords it
    with what it knows of the call."""
    from tensorweave._src.core import op_messages

    parts = op_messages.Parts(op_name, message)
    error = cls(None, None, parts.text())
    error._tw_parts = parts
    return error


class OperatorNotAllowedInGraphError(TypeError):
    """Raised when a symbolic tensor is used as a Python bool or iterated outside AutoGraph."""
