"""`tf.nn`: activations, convolutions, pooling, normalization, losses and layout ops."""
