"""Indexing ops (gather/scatter/where/sort/unique/segments, ...) against TF fixtures, plus a check that
each primitive's abstract rule agrees with its eager result on dtype and shape."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.ops.indexing import gather, scatter, segment, selection, shifting, sorting, unique
from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("indexing"))
def test_indexing(case):
    check_fixture("indexing", case)


def _abstract(t, known=True):
    """An AbstractValue for tensor `t`: its static shape (or all dims unknown), and its value if known."""
    shape = t.shape if known else TensorShape([None] * t.shape.rank)
    return AbstractValue(t.dtype, shape, t.numpy() if known else None)


def c(v, dtype=None):
    return tf.constant(v, dtype)


# (primitive, inputs, attrs)
RULE_CASES = [
    (gather.gather_p, [c([[1, 2, 3], [4, 5, 6]]), c([[2, 0]])], dict(axis=1, batch_dims=0)),
    (gather.gather_p, [c([[1, 2, 3], [4, 5, 6]]), c([[2], [0]])], dict(axis=1, batch_dims=1)),
    (gather.gather_nd_p, [c([[1, 2], [3, 4]]), c([[1], [0]])], dict(batch_dims=0)),
    (gather.gather_nd_p, [c([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), c([[1], [0]])], dict(batch_dims=1)),
    (selection.where_p, [c([[True, False], [True, True]])], {}),
    (selection.select_p, [c([[True], [False]]), c([1, 2]), c([[3, 4]])], {}),
    (selection.boolean_mask_p, [c([[1, 2], [3, 4]]), c([True, False])], dict(axis=1)),
    (selection.sequence_mask_p, [c([1, 3]), c(4)], {}),
    (scatter.scatter_nd_p, [c([[1], [0]]), c([[1., 2.], [3., 4.]]), c([3, 2])], {}),
    *[(p, [c([1, 2, 3, 4]), c([[1], [3]]), c([9, 8])], {}) for p in scatter.PRIMITIVES.values()],
    (sorting.sort_p, [c([[3., 1.], [0., 5.]])], dict(axis=0, descending=True)),
    (sorting.argsort_p, [c([[3., 1.], [0., 5.]])], dict(axis=1, descending=False)),
    (sorting.top_k_p, [c([[1, 5, 3], [7, 0, 2]]), c(2)], dict(sorted=True, index_type=tf.int64)),
    (sorting.in_top_k_p, [c([[0.1, 0.3, 0.6]]), c([2]), c(1)], {}),
    (sorting.lower_bound_p, [c([[1, 3, 5]]), c([[2, 6]])], dict(out_type=tf.int64)),
    (sorting.upper_bound_p, [c([1., 3., 5.]), c([3.])], dict(out_type=tf.int32)),
    (unique.unique_p, [c([4, 1, 4])], dict(out_idx=tf.int32)),
    (unique.unique_with_counts_p, [c([4, 1, 4])], dict(out_idx=tf.int64)),
    (unique.bincount_p, [c([1, 1, 3]), c(np.zeros(0, np.float32))],
     dict(minlength=None, maxlength=None, flatten=False, binary_output=False)),
    (unique.bincount_p, [c([[1, 1], [3, 0]]), c(np.zeros(0, np.int32))],
     dict(minlength=None, maxlength=2, flatten=False, binary_output=False)),
    (shifting.roll_p, [c([[1, 2, 3], [4, 5, 6]]), c([1, 2]), c([0, 1])], {}),
    (shifting.repeat_p, [c([[1, 2], [3, 4]]), c([1, 2])], dict(axis=0)),
    (shifting.repeat_p, [c([[1, 2], [3, 4]]), c(2)], dict(axis=None)),
    *[(p, [c([[1., 2.], [3., 4.], [5., 6.]]), c([0, 0, 2])], {}) for p in segment.SORTED_PRIMITIVES.values()],
    *[(p, [c([[1., 2.], [3., 4.], [5., 6.]]), c([0, 3, 0]), c(4)], {})
      for p in segment.UNSORTED_PRIMITIVES.values()],
    (segment.UNSORTED_PRIMITIVES["mean"], [c([1, 2, 3]), c([0, 1, 0]), c(2)], {}),
]


def _outputs(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


@pytest.mark.parametrize("known", [True, False], ids=["known_shapes", "unknown_dims"])
@pytest.mark.parametrize("prim,inputs,attrs", RULE_CASES, ids=[f"{p.name}_{i}" for i, (p, _, _) in
                                                                enumerate(RULE_CASES)])
def test_abstract_rule_matches_eager(prim, inputs, attrs, known):
    eager = _outputs(bind(prim, *inputs, **attrs))
    rule = _outputs(prim.abstract(*[_abstract(t, known) for t in inputs], **attrs))
    assert len(rule) == len(eager)
    for r, e in zip(rule, eager):
        assert r.dtype == e.dtype, (prim, r, e)
        assert r.shape.is_compatible_with(e.shape), (prim, r.shape, e.shape)
        if known and prim not in (selection.where_p, selection.boolean_mask_p, unique.unique_p,
                                  unique.unique_with_counts_p, unique.bincount_p,
                                  *segment.SORTED_PRIMITIVES.values(), selection.sequence_mask_p):
            assert r.shape == e.shape, (prim, r.shape, e.shape)


def test_data_dependent_sizes_are_unknown():
    mask = AbstractValue(tf.bool, [4])
    assert selection.where_p.abstract(mask).shape.as_list() == [None, 1]
    x = AbstractValue(tf.int32, [4, 3])
    assert selection.boolean_mask_p.abstract(x, mask, axis=0).shape.as_list() == [None, 3]
    y, idx = unique.unique_p.abstract(AbstractValue(tf.int32, [5]), out_idx=tf.int32)
    assert y.shape.as_list() == [None] and idx.shape.as_list() == [5]


def test_scatter_nd_update_operator():
    from tensorweave._src.core import operators
    fn = operators.IMPLS["scatter_nd_update"]
    out = fn(tf.constant([1, 2, 3]), [[0], [2]], [7, 9])
    assert out.numpy().tolist() == [7, 2, 9]


def test_gather_never_wraps():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [1, 5])
