"""`tf.strings.split`: scalar input -> 1-D string tensor; N-D input -> RaggedTensor of the pieces.

>>> import tensorweave as tf
>>> print(tf.strings.split(tf.constant('Hello world'), 'hi'))
tf.Tensor([b'Hello world'], shape=(1,), dtype=string)
>>> tf.strings.split(['a b', 'c'])
<tf.RaggedTensor [[b'a', b'b'], [b'c']]>
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import constant, convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.ops.strings._util import string_tensor
from tensorweave._src.ops.strings.split import string_split_v2_p
from tensorweave._src.ragged.ragged_tensor import RaggedTensor


@tf_export("strings.split")
def split(input, sep=None, maxsplit=-1, name=None):
    """Splits each string on `sep` (whitespace when None), up to `maxsplit` times."""
    input = string_tensor(input, "input")
    sep_t = convert_to_tensor(b"" if sep is None else sep, dtype=_dt.string)
    rank = input.shape.rank
    flat = input
    if rank != 1:
        flat = constant(np.asarray(input.numpy(), dtype=object).reshape(-1), dtype=_dt.string)
    indices, values, _ = bind(string_split_v2_p, flat, sep_t, maxsplit=int(maxsplit))
    if rank == 0:
        return values
    rows = indices.numpy()[:, 0] if indices.shape[0] else np.zeros([0], np.int64)
    result = RaggedTensor.from_value_rowids(values, rows, nrows=flat.shape[0])
    dims = input.shape.as_list()
    for d in reversed(dims[1:]):  # regroup the flattened rows into the input's leading dims
        nrows = int(np.asarray(result.row_splits.numpy()).size - 1) // d
        result = RaggedTensor.from_uniform_rows(result, nrows, d)
    return result
