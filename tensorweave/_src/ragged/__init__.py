"""Ragged tensors (`tf.RaggedTensor`, `tf.ragged`), built on public tensorweave ops and numpy."""
