"""tf.TensorArray (tensor_array.py) over TensorList ops on variant tensors (list_ops.py)."""
