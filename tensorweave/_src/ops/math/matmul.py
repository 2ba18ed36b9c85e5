"""Matrix products: `tf.matmul` (the `@` operator), `tf.tensordot` and `tf.einsum`.

Rank-2 operands run TF's `MatMul` op, anything else `BatchMatMulV2` (batch dims broadcast).

>>> import tensorweave as tf
>>> print(tf.constant([[1, 2], [3, 4]]) @ tf.constant([[2, 2], [3, 4]]))
tf.Tensor(
[[ 8 10]
 [18 22]], shape=(2, 2), dtype=int32)
"""

from __future__ import annotations

import string

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind, check_rule
from tensorweave._src.core.op_messages import no_kernel
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops._common import broadcast_shape, dims_str, invalid, tensor, wanted

_MATMUL_TYPES = _dt.FLOATS | _dt.COMPLEX | {_dt.int32, _dt.int64, _dt.uint8, _dt.uint16, _dt.uint32,
                                              _dt.uint64}
_NO_CPU_KERNEL = {_dt.uint8, _dt.uint16, _dt.uint32, _dt.uint64}


def _not_found(op_name, dtype, **attrs):
    """TF's error when no kernel takes `dtype` (attrs: the call's, by TF's names)."""
    return errors.op_error(errors.NotFoundError, op_name, no_kernel(op_name, dict(attrs, T=dtype)))


def _matrix(x, transpose: bool, adjoint: bool):
    if adjoint:
        x = x.conj()
    return x.transpose(-1, -2) if (transpose or adjoint) else x


def _check_dims(op_name, a, b, ta, tb):
    """TF's shape checks for (Batch)MatMul on static shapes `a`, `b`; returns the output dims."""
    da, db = a.dims, b.dims
    if da is None or db is None:
        return None
    if op_name == "MatMul":
        if len(da) != len(db) or len(da) != 2:
            if len(da) != len(db):
                raise invalid(op_name, f"In[0] and In[1] has different ndims: {dims_str(da)} vs. "
                                       f"{dims_str(db)}")
            raise invalid(op_name, f"In[0] is not a matrix. Instead it has shape {dims_str(da)}")
    else:
        for i, d in enumerate((da, db)):
            if len(d) < 2:
                raise invalid(op_name, f"In[{i}] ndims must be >= 2: {len(d)}")
    m, ka = (da[-1], da[-2]) if ta else (da[-2], da[-1])
    kb, n = (db[-1], db[-2]) if tb else (db[-2], db[-1])
    if ka is not None and kb is not None and ka != kb:
        raise invalid(op_name, f"Matrix size-incompatible: In[0]: {dims_str(da)}, In[1]: {dims_str(db)}")
    if op_name == "MatMul":
        return [m, n]
    try:
        batch = broadcast_shape(op_name, TensorShape(da[:-2]), TensorShape(db[:-2]))
    except errors.InvalidArgumentError:
        raise invalid(op_name, f"In[0] and In[1] must have compatible batch dimensions: {dims_str(da)} vs. "
                               f"{dims_str(db)}") from None
    return batch.as_list() + [m, n]


_FAST_MM = (torch.float32, torch.float64)


def _matmul_kernel(op_name, ta_name, tb_name, adjoint_flags: bool):
    def kernel(a, b, **attrs):
        ta, tb = attrs.get(ta_name, False), attrs.get(tb_name, False)
        if (a.ndim == 2 and b.ndim == 2 and a.dtype in _FAST_MM
                and a.shape[0 if ta else 1] == b.shape[1 if tb else 0]):  # the common case, checked cheaply
            return torch.mm(a.T if ta else a, b.T if tb else b)
        if a.dtype in (torch.uint8, torch.uint16, torch.uint32, torch.uint64):
            raise _not_found(op_name, {torch.uint8: _dt.uint8, torch.uint16: _dt.uint16,
                                       torch.uint32: _dt.uint32, torch.uint64: _dt.uint64}[a.dtype],
                             **{ta_name: bool(ta), tb_name: bool(tb)})
        _check_dims(op_name, TensorShape(list(a.shape)), TensorShape(list(b.shape)), ta, tb)
        a = _matrix(a, ta and not adjoint_flags, ta and adjoint_flags)
        b = _matrix(b, tb and not adjoint_flags, tb and adjoint_flags)
        if a.dtype in (torch.float16, torch.bfloat16):  # accumulate in float32 like TF's CPU kernels
            return torch.matmul(a.float(), b.float()).to(a.dtype)
        return torch.matmul(a, b)
    return kernel


def _matmul_rule(op_name, ta_name, tb_name):
    def rule(a, b, **attrs):
        if a.dtype is not b.dtype:
            raise invalid(op_name, f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
                                   f"{_tf_name(a.dtype)} tensor but is a {_tf_name(b.dtype)} tensor")
        if a.dtype in _NO_CPU_KERNEL:
            raise _not_found(op_name, a.dtype, **{ta_name: bool(attrs.get(ta_name, False)),
                                                  tb_name: bool(attrs.get(tb_name, False))})
        dims = _check_dims(op_name, a.shape, b.shape, attrs.get(ta_name, False), attrs.get(tb_name, False))
        return AbstractValue(a.dtype, dims)
    return rule


def _tf_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


matmul_p = Primitive("MatMul", allowed=_MATMUL_TYPES)
matmul_p.def_kernel(_matmul_kernel("MatMul", "transpose_a", "transpose_b", False))
matmul_p.def_abstract(_matmul_rule("MatMul", "transpose_a", "transpose_b"))

batch_matmul_p = Primitive("BatchMatMulV2", allowed=_MATMUL_TYPES)
batch_matmul_p.def_kernel(_matmul_kernel("BatchMatMulV2", "adj_x", "adj_y", True))
batch_matmul_p.def_abstract(_matmul_rule("BatchMatMulV2", "adj_x", "adj_y"))


@tf_export("linalg.matmul", "matmul")
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, output_type=None, grad_a=False, grad_b=False, name=None):
    """Matrix product of the innermost two dims of `a` and `b` (batch dims broadcast).

    >>> import tensorweave as tf
    >>> print(tf.matmul([[1, 2]], [[3], [4]]))
    tf.Tensor([[11]], shape=(1, 1), dtype=int32)
    """
    if transpose_a and adjoint_a:
        raise ValueError(f"Only one of `transpose_a` and `adjoint_a` can be True. Received `transpose_a`="
                         f"{transpose_a}, `adjoint_a`={adjoint_a}.")
    if transpose_b and adjoint_b:
        raise ValueError(f"Only one of `transpose_b` and `adjoint_b` can be True. Received `transpose_b`="
                         f"{transpose_b}, `adjoint_b`={adjoint_b}.")
    if isinstance(a, Tensor) or not isinstance(b, Tensor):
        a = tensor(a)
        b = tensor(b, dtype=a.dtype) if not isinstance(b, Tensor) else b
    else:
        a = tensor(a, dtype=b.dtype)
    if a.dtype is not b.dtype:
        raise invalid("MatMul", f"cannot compute MatMul as input #1(zero-based) was expected to be a "
                                f"{_tf_name(a.dtype)} tensor but is a {_tf_name(b.dtype)} tensor")
    ra, rb = _rank(a), _rank(b)
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    if (ra is None or ra > 2) or (rb is None or rb > 2):
        # BatchMatMulV2 only knows adjoints: a plain transpose of a complex operand conjugates first
        a, b = _conj_if(a, transpose_a), _conj_if(b, transpose_b)
        return bind(batch_matmul_p, a, b, adj_x=ta, adj_y=tb)
    a, b = _conj_if(a, adjoint_a), _conj_if(b, adjoint_b)
    return bind(matmul_p, a, b, transpose_a=ta, transpose_b=tb)


def _rank(x: Tensor):
    return x._value.ndim if type(x) is EagerTensor else x.shape.rank


def _conj_if(x, flag):
    if flag and x.dtype.is_complex:
        from tensorweave._src.ops.math.complex import conj
        return conj(x)
    return x



# ---- gradient rules (TF's math_grad) -------------------------------------------------------------
# Broadcast batch dims of BatchMatMulV2 are summed back to each operand's shape by backprop.

def _conj(x):
    if not x.dtype.is_complex:
        return x
    from tensorweave._src.ops.math.complex import conj  # complex does not import this module
    return conj(x)


def _mm(a, b, ta=False, tb=False):
    return bind(matmul_p, a, b, transpose_a=ta, transpose_b=tb)


@matmul_p.def_grad
def _matmul_grad(op, dy):
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    a, b = _conj(op.inputs[0]), _conj(op.inputs[1])
    if not ta and not tb:
        ga, gb = (lambda: _mm(dy, b, tb=True)), (lambda: _mm(a, dy, ta=True))
    elif not ta and tb:
        ga, gb = (lambda: _mm(dy, b)), (lambda: _mm(dy, a, ta=True))
    elif ta and not tb:
        ga, gb = (lambda: _mm(b, dy, tb=True)), (lambda: _mm(a, dy))
    else:
        ga, gb = (lambda: _mm(b, dy, ta=True, tb=True)), (lambda: _mm(dy, a, ta=True, tb=True))
    return (ga() if wanted(op, 0) else None), (gb() if wanted(op, 1) else None)


def _bmm(x, y, adj_x=False, adj_y=False):
    return bind(batch_matmul_p, x, y, adj_x=adj_x, adj_y=adj_y)


@batch_matmul_p.def_grad
def _batch_matmul_grad(op, dy):
    x, y = op.inputs
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    if not adj_x:
        if not adj_y:
            gx, gy = (lambda: _bmm(dy, y, adj_y=True)), (lambda: _bmm(x, dy, adj_x=True))
        else:
            gx, gy = (lambda: _bmm(dy, y)), (lambda: _bmm(dy, x, adj_x=True))
    elif not adj_y:
        gx, gy = (lambda: _bmm(y, dy, adj_y=True)), (lambda: _bmm(x, dy))
    else:
        gx, gy = (lambda: _bmm(y, dy, adj_x=True, adj_y=True)), (lambda: _bmm(dy, x, adj_x=True, adj_y=True))
    return (gx() if wanted(op, 0) else None), (gy() if wanted(op, 1) else None)

# ---- Einsum --------------------------------------------------------------------------------------

def _parse_equation(equation: str, n_inputs: int):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        explicit = True
    else:
        lhs, out, explicit = eq, None, False
    ins = lhs.split(",")
    if len(ins) != n_inputs:
        raise invalid("Einsum", f"Expecting {len(ins)} inputs but got {n_inputs}")
    return ins, out, explicit


def _einsum_shapes(equation: str, shapes):
    """Static output dims of an einsum (None for unknown), validating label sizes like TF."""
    ins, out, explicit = _parse_equation(equation, len(shapes))
    sizes: dict = {}
    ell_dims = []
    for spec, shape in zip(ins, shapes):
        dims = shape.dims
        if dims is None:
            return None
        labels = spec.replace("...", "")
        n_ell = len(dims) - len(labels) if "..." in spec else 0
        if n_ell < 0 or ("..." not in spec and len(labels) != len(dims)):
            raise invalid("Einsum", f"Input subscripts {spec} specify {len(labels)} labels but the input has "
                                    f"rank {len(dims)}")
        pre, _, post = spec.partition("...") if "..." in spec else (spec, "", "")
        ell = dims[len(pre):len(pre) + n_ell]
        ell_dims.append(ell)
        positions = list(range(len(pre))) + list(range(len(pre) + n_ell, len(dims)))
        for label, pos in zip(pre + post, positions):
            d = dims[pos]
            prev = sizes.get(label)
            if prev is not None and d is not None and prev != d and prev != 1 and d != 1:
                raise invalid("Einsum", f"Expected dimension {prev} at axis {pos} of the input shaped "
                                        f"{dims_str(dims)} but got dimension {d}")
            if prev is None or prev == 1:
                sizes[label] = d
    ell = TensorShape([])
    for e in ell_dims:
        ell = broadcast_shape("Einsum", ell, TensorShape(e))
    if not explicit:
        counts = {}
        for spec in ins:
            for c in spec.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        if ell.rank:
            raise invalid("Einsum", f"Output contains {ell.rank} broadcasting dimension(s) but no ellipsis "
                                    "(...) was found in the output subscripts.")
        out = "".join(sorted(c for c, k in counts.items() if k == 1))
    pre, _, post = out.partition("...") if "..." in out else (out, "", "")
    return [sizes[c] for c in pre] + (ell.as_list() if "..." in out else []) + [sizes[c] for c in post]


einsum_p = Primitive("Einsum", allowed=_dt.FLOATS | _dt.COMPLEX | {_dt.int32, _dt.int64})


@einsum_p.def_kernel
def _einsum(*xs, equation):
    _einsum_shapes(equation, [TensorShape(list(x.shape)) for x in xs])
    ins, out, explicit = _parse_equation(equation, len(xs))
    eq = equation if explicit else equation + "->" + "".join(
        sorted(c for c in set("".join(ins).replace(".", "")) if "".join(ins).count(c) == 1))
    if xs[0].dtype in (torch.float16, torch.bfloat16):
        return torch.einsum(eq, *[x.float() for x in xs]).to(xs[0].dtype)
    return torch.einsum(eq, *xs).to(xs[0].dtype)  # torch sums int32 traces in int64


@einsum_p.def_abstract
def _einsum_rule(*xs, equation):
    for i, x in enumerate(xs[1:], 1):
        if x.dtype is not xs[0].dtype:
            raise invalid("Einsum", f"cannot compute Einsum as input #{i}(zero-based) was expected to be a "
                                    f"{_tf_name(xs[0].dtype)} tensor but is a {_tf_name(x.dtype)} tensor")
    if xs[0].dtype not in einsum_p.allowed:
        raise _not_found("Einsum", xs[0].dtype, N=len(xs), equation=equation)
    return AbstractValue(xs[0].dtype, _einsum_shapes(equation, [x.shape for x in xs]))



def _explicit(equation: str, n_inputs: int):
    """`(input_subscripts, output_subscripts)` with the implicit output spelled out as the kernel does."""
    ins, out, explicit = _parse_equation(equation, n_inputs)
    if not explicit:
        joined = "".join(ins).replace(".", "")
        out = "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    return ins, out


def _labels(spec: str) -> list:
    """The subscripts of `spec` as a list of labels, the ellipsis as one '...' item."""
    pre, ell, post = spec.partition("...")
    return list(pre) + (["..."] if ell else []) + list(post)


def _label_sizes(spec: str, dims: list) -> dict:
    labels = _labels(spec)
    n_ell = len(dims) - (len(labels) - (1 if "..." in labels else 0))
    sizes, pos = {}, 0
    for label in labels:
        if label == "...":
            sizes["..."] = dims[pos:pos + n_ell]
            pos += n_ell
        else:
            sizes.setdefault(label, dims[pos])
            pos += 1
    return sizes


@einsum_p.def_grad
def _einsum_grad(op, dy):
    """d/d(input i) = einsum of dy with the other (conjugated) operands back to input i's subscripts.

    Labels of input i that no other operand (nor the output) carries come back through a ones vector;
    a label repeated within input i (a diagonal) gets fresh labels tied to it by identity matrices; an
    ellipsis is broadcast to the full batch shape and then summed back to input i's own."""
    xs = list(op.inputs)
    ins, out = _explicit(op.get_attr("equation"), len(xs))
    if dy.dtype.is_complex:
        xs = [_conj(x) for x in xs]
    used = set("".join(ins) + out)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    grads = []
    for i, x in enumerate(xs):
        dims = x.shape.as_list()
        if None in dims:
            raise NotImplementedError("Einsum gradient needs fully known input shapes")
        sizes = _label_sizes(ins[i], dims)
        other_sizes: dict = {}
        for j, x2 in enumerate(xs):
            if j != i:
                for label, d in _label_sizes(ins[j], x2.shape.as_list()).items():
                    if label != "...":
                        other_sizes[label] = max(other_sizes.get(label, 1), d)
        out_sizes = _label_sizes(out, dy.shape.as_list())
        specs = [out] + [ins[j] for j in range(len(xs)) if j != i]
        operands = [dy] + [xs[j] for j in range(len(xs)) if j != i]
        target, seen = [], set()
        for label in _labels(ins[i]):
            if label != "..." and label in seen:  # a repeated label: a diagonal of input i
                new = next(fresh)
                specs.append(label + new)
                operands.append(_const(np.eye(sizes[label]), dy.dtype))
                target.append(new)
                continue
            seen.add(label)
            target.append(label)
            if label == "...":  # carries input i's batch dims into the result
                specs.append("...")
                operands.append(_const(np.ones(sizes["..."]), dy.dtype))
            elif sizes[label] != 1 and max(other_sizes.get(label, 1), out_sizes.get(label, 1)) == 1:
                specs.append(label)  # summed over in input i only (or broadcast from size 1)
                operands.append(_const(np.ones(sizes[label]), dy.dtype))
        g = bind(einsum_p, *operands, equation=",".join(specs) + "->" + "".join(target))
        grads.append(_unbroadcast_ellipsis(g, ins[i], dims))
    return grads


def _const(array, dtype):
    return tensor(array.astype(dtype.as_numpy_dtype), dtype=dtype)


def _unbroadcast_ellipsis(g, spec: str, dims: list):
    """Sums the broadcast ellipsis dims of gradient `g` back to the input's own (`dims`)."""
    gd = g.shape.as_list()
    if gd == dims or "..." not in spec:
        return g
    start = spec.index("...")
    n_ell_x = len(dims) - len(spec.replace("...", ""))
    n_ell_g = len(gd) - len(spec.replace("...", ""))
    lead = n_ell_g - n_ell_x
    axes = list(range(start, start + lead)) + [
        start + lead + k for k in range(n_ell_x) if dims[start + k] == 1 and gd[start + lead + k] != 1]
    if not axes:
        return g
    from tensorweave._src.ops.math._reduce_common import public
    from tensorweave._src.ops.math.reduce import reduce_sum  # reduce does not import this module
    shape = gd[:start] + dims[start:start + n_ell_x] + gd[start + lead + n_ell_x:]
    return public("reshape")(reduce_sum(g, axis=axes, keepdims=True), shape)

@tf_export("einsum", "linalg.einsum")
def einsum(equation, *inputs, **kwargs):
    """Tensor contraction over the index labels of `equation` (e.g. `'ij,jk->ik'`).

    >>> import tensorweave as tf
    >>> print(tf.einsum('ij->ji', tf.constant([[1, 2]])))
    tf.Tensor(
    [[1]
     [2]], shape=(2, 1), dtype=int32)
    """
    xs = [tensor(x) for x in inputs]
    check_rule(einsum_p, *xs, equation=equation)
    return bind(einsum_p, *xs, equation=equation)


# ---- tensordot -----------------------------------------------------------------------------------

def _tensordot_axes(axes, ra: int, rb: int):
    if isinstance(axes, Tensor):
        axes = axes.numpy().tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {n}.")
        if n > ra or n > rb:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of tensor {ra}.  "
                             f"Received {n}, vs tensor dimensions {max(ra, rb)}.")
        return list(range(ra - n, ra)), list(range(n))
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes `a` and `b`, {len(a_axes)} != {len(b_axes)}.")
    return [int(i) % ra if ra else int(i) for i in a_axes], [int(i) % rb if rb else int(i) for i in b_axes]


@tf_export("tensordot", "linalg.tensordot")
def tensordot(a, b, axes, name=None):
    """Contracts `a` and `b` over `axes` (an int n: last n of `a` with first n of `b`; or a pair of lists).

    >>> import tensorweave as tf
    >>> print(tf.tensordot([1., 2.], [3., 4.], 1))
    tf.Tensor(11.0, shape=(), dtype=float32)
    """
    a, b = tensor(a), tensor(b)
    ra, rb = _rank(a), _rank(b)
    a_axes, b_axes = _tensordot_axes(axes, ra, rb)
    letters = iter(string.ascii_letters)
    la = [next(letters) for _ in range(ra)]
    lb = [next(letters) for _ in range(rb)]
    for i, j in zip(a_axes, b_axes):
        lb[j] = la[i]
    out = [la[i] for i in range(ra) if i not in a_axes] + [lb[j] for j in range(rb) if j not in b_axes]
    if a.dtype is not b.dtype:
        raise invalid("MatMul", f"cannot compute MatMul as input #1(zero-based) was expected to be a "
                                f"{_tf_name(a.dtype)} tensor but is a {_tf_name(b.dtype)} tensor")
    for i, j in zip(a_axes, b_axes):
        da, db = a.shape[i], b.shape[j]
        if da is not None and db is not None and da != db:
            m = [int(np.prod([d for k, d in enumerate(a.shape.as_list()) if k not in a_axes])),
                 int(np.prod([a.shape[k] for k in a_axes]))]
            n = [int(np.prod([b.shape[k] for k in b_axes])),
                 int(np.prod([d for k, d in enumerate(b.shape.as_list()) if k not in b_axes]))]
            raise invalid("MatMul", f"Matrix size-incompatible: In[0]: {dims_str(m)}, In[1]: {dims_str(n)}")
    eq = "".join(la) + "," + "".join(lb) + "->" + "".join(out)
    return bind(einsum_p, a, b, equation=eq)
