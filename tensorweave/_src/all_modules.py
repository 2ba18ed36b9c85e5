"""Imports every implementation module so that their `tf_export` declarations are registered.

Add a module here when you create one; the order does not matter.
"""

from tensorweave._src.core import api as _core_api  # noqa: F401
from tensorweave._src.core import config as _config  # noqa: F401
from tensorweave._src.ops import cast  # noqa: F401
from tensorweave._src.ops import tensor_operators  # noqa: F401
from tensorweave._src.ops.math import binary, composite, logical, unary  # noqa: F401
from tensorweave._src.ops.io import print_op  # noqa: F401
from tensorweave._src.ops.random import generator, sampling, seed, stateful, stateless  # noqa: F401
from tensorweave._src.autodiff import api as _autodiff_api  # noqa: F401
from tensorweave._src.ops.math import clip, complex, complex_build, matmul, predicates, reduce, scan  # noqa: F401
from tensorweave._src.framework import indexed_slices  # noqa: F401
from tensorweave._src.ops.indexing import gather, scatter, segment, selection, shifting, sorting, unique  # noqa: F401
from tensorweave._src.ops.array import creation, join, pad_slice, queries, shape_ops, strided_slice, structured  # noqa: F401,E501
from tensorweave._src.ops.strings import basic, convert, regex, split  # noqa: F401
from tensorweave._src.ragged import ragged_string_ops, ragged_tensor  # noqa: F401
from tensorweave._src.ops.linalg import decomp, matrix, norm, solve  # noqa: F401
from tensorweave._src.function import function as _function  # noqa: F401
from tensorweave._src.module import module as _module  # noqa: F401
from tensorweave._src.ops.tensor_array import list_ops, tensor_array  # noqa: F401
from tensorweave._src.keras import api as _keras_api  # noqa: F401
from tensorweave._src.ops.nn import activations, conv, conv_api, depthwise, losses, misc, normalization, pool_ops, pooling  # noqa: F401,E501
from tensorweave._src.control_flow import cond as _cond, while_loop as _while_loop  # noqa: F401
from tensorweave._src.data import batching, combine, dataset_ops, experimental, iterator, map_ops, options, readers, sources, structural, transforms  # noqa: F401,E501
from tensorweave._src.io import example_pb, file_io, parsing_ops, script_ops, tfrecord  # noqa: F401
from tensorweave._src.framework import sparse_tensor  # noqa: F401
