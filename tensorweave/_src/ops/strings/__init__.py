"""`tf.strings`: ops on string tensors (numpy object arrays of bytes)."""
