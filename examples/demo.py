"""The main job, for now: tensors, ops and a tiny computation with `import tensorweave as tf`.

Fits y = 3x + 2 by gradient descent with hand-written gradients (GradientTape comes with autodiff).
"""

import numpy as np

import tensorweave as tf

print("tensorweave", tf.__version__)
a = tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
print(a)
print("a @ a =", a @ a)
print("mean of a as float:", tf.reduce_mean(tf.cast(a, tf.float32)))
print("a[1:, ::-1] =", a[1:, ::-1])
print(tf.strings.upper(tf.constant("hello tensorweave")))

rng = np.random.default_rng(0)
x = tf.constant(rng.uniform(-1, 1, size=(256, 1)).astype("float32"))
y = 3.0 * x + 2.0 + tf.constant(rng.normal(0, 0.05, size=(256, 1)).astype("float32"))
w = tf.Variable(tf.zeros([1, 1]), name="w")
b = tf.Variable(tf.zeros([1]), name="b")
lr = 0.5
for step in range(101):
    pred = tf.matmul(x, w) + b
    err = pred - y
    loss = tf.reduce_mean(tf.square(err))
    grad_w = 2.0 * tf.matmul(x, err, transpose_a=True) / 256.0
    grad_b = 2.0 * tf.reduce_mean(err, axis=0)
    w.assign_sub(lr * grad_w)
    b.assign_sub(lr * grad_b)
    if step % 25 == 0:
        print(f"step {step:3d}  loss {float(loss):.5f}  w {float(w[0, 0]):.3f}  b {float(b[0]):.3f}")
print("fitted:", w.numpy().ravel(), b.numpy())
