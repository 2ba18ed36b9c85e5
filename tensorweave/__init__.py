"""tensorweave: TensorFlow 2 reimplemented in Python on PyTorch kernels. Use as `import tensorweave as tf`.

>>> import tensorweave as tf
>>> print(tf.constant([1, 2, 3]) + 1)
tf.Tensor([2 3 4], shape=(3,), dtype=int32)
"""

from tensorweave._src import all_modules as _all_modules  # noqa: F401  (registers every export)
from tensorweave._src.api_export import build_namespaces as _build_namespaces

__version__ = "2.21.0"
_build_namespaces(__import__(__name__))
