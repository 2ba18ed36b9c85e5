"""TF's "in user code:" wording of errors raised while a tf.function traces converted code.

An error raised while AutoGraph-converted code runs (at trace time) reaches the caller reworded, as
TF's `ag_error_metadata` does it:

    in user code:

        File "model.py", line 3, in f  *
            if x > 0:

        ValueError: 'y' must also be initialized in the else branch

The frames listed are those of the user's code, innermost last: converted functions (marked `*`, at
the line of the statement that failed, which the converted code keeps), and below the innermost
converted frame the plain user functions it called (marked `**` when called through `converted_call`,
e.g. `do_not_convert` functions); tensorweave's own frames are left out. The exception keeps its class
(TF's rule: builtin errors with a plain message, KeyError, OpError, OperatorNotAllowedInGraphError).
"""

from __future__ import annotations

import linecache
import os

from tensorweave._src.core import errors

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_KNOWN_STRING_CONSTRUCTOR_ERRORS = (AssertionError, AttributeError, NameError, NotImplementedError,
                                    RuntimeError, StopIteration, TypeError, UnboundLocalError, ValueError)


class MultilineMessageKeyError(KeyError):
    """A KeyError whose str() is its message (TF's, for reworded KeyErrors)."""

    def __init__(self, message, original_key):
        super().__init__(original_key)
        self._message = message

    def __str__(self):
        return self._message


MultilineMessageKeyError.__name__ = KeyError.__name__


def _is_converter(frame) -> bool:
    """Frames of the call machinery between converted code and what it calls (TF's api.py)."""
    code = frame.f_code
    if not code.co_filename.startswith(_PACKAGE_DIR):
        return False
    return code.co_name in ("converted_call", "wrapper") and os.path.basename(
        os.path.dirname(code.co_filename)) == "autograph"


def _line(filename: str, lineno: int) -> str:
    text = linecache.getline(filename, lineno).strip()
    return text if text else "<source unavailable>"


def _function_name(code, converted: bool) -> str:
    name = code.co_name
    if converted and name.startswith("tf__"):
        name = name[4:]
        return "<lambda>" if name == "lam" else name
    return name


def user_frames(tb, is_converted) -> list:
    """(filename, lineno, function name, code line, marker) of the user frames of traceback `tb`
    (its first entry, the caller's, excluded), outermost first; [] when no converted code ran."""
    frames = []
    tb = tb.tb_next if tb is not None else None
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    result, seen_converted = [], False
    for frame, lineno in reversed(frames):
        code = frame.f_code
        if is_converted(code):
            seen_converted = True
            result.append([code.co_filename, lineno, _function_name(code, True),
                           _line(code.co_filename, lineno), "  *"])
            continue
        if seen_converted:  # outside the innermost converted function only converted frames count
            continue
        if _is_converter(frame):
            if result and result[-1][4] == "":
                result[-1][4] = "  **"
            continue
        result.append([code.co_filename, lineno, _function_name(code, False),
                       _line(code.co_filename, lineno), ""])
    if not seen_converted:
        return []
    return [f for f in reversed(result) if not f[0].startswith(_PACKAGE_DIR)]


def message(frames, error) -> str:
    lines = ["in user code:", ""]
    for filename, lineno, name, text, marker in frames:
        lines.append(f'    File "{filename}", line {lineno}, in {name}{marker}')
        lines.append(f"        {text}")
    lines.append("")
    cause = f"{type(error).__name__}: {error}"
    lines.extend("    " + line for line in cause.split("\n"))
    lines.append("")
    return "\n".join(lines)


def reworded(error):
    """`error` (raised while converted code traced) as TF rewords it, or None to re-raise it as is."""
    from tensorweave._src.autograph.conversion import is_converted_code

    if getattr(error, "_tw_in_user_code", False):
        return None
    frames = user_frames(error.__traceback__, is_converted_code)
    if not frames:
        return None
    text = message(frames, error)
    kind = type(error)
    if isinstance(error, errors.OpError):
        new = kind(error.node_def, error.op, text)
    elif kind is errors.OperatorNotAllowedInGraphError or kind in _KNOWN_STRING_CONSTRUCTOR_ERRORS or (
            kind.__init__ is Exception.__init__):
        new = kind(text)
    elif kind is KeyError:
        new = MultilineMessageKeyError(text, error.args[0] if error.args else None)
    else:
        return None
    new._tw_in_user_code = True
    new.__suppress_context__ = True
    return new.with_traceback(error.__traceback__)
