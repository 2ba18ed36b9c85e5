"""The tf.TensorArray examples of seed 003 (/work/shared/seeds/003_535d7162a67ab019.txt, section
"tf.TensorArray", cells In [2] to In [15]). Each notebook cell's displayed value is printed here; the
cells of one notebook session run as one example (they share `x`, `a`, `y`).

The values are random (tf.random.normal), so only the dtype and shape of each printed tensor are
compared (`random: True`); TensorArray objects are shown by their type name (their repr holds an
address). Extra prints (marked "check") tie the random values together, so the printed booleans
verify the semantics exactly. Expected output: tests/fixtures/seed_003.json, recorded by
`../shared/tools/tf-oracle tools/record_seed_003.py`.
"""

EXAMPLES = {
    "unstack_read_stack_gather_scatter_split": dict(random=True, code="""
x = tf.TensorArray(dtype=tf.float32, size=3, infer_shape=False, clear_after_read=False)
a = tf.random.normal([3,2,2])
print(type(x.unstack(a)).__name__)
print(x.read(0))
print(x.stack().shape)
print(x.gather([1,2]))
print(bool(tf.reduce_all(x.gather([1,2]) == a[1:])))  # check
y = x.scatter([2,1,0], a)  # infer_shape=True时不能用
print(y.read(0))
print(bool(tf.reduce_all(y.read(0) == a[2])))  # check
print(bool(tf.reduce_all(x.read(0) == a[2])))  # check: eagerly, scatter wrote into x itself
a = tf.random.normal([5,6])
print(type(x.split(a, [1,2,2])).__name__) # 长度分别是1，2，2
print(x.read(0))
print(x.read(0))
print(x.read(1))
print(bool(tf.reduce_all(x.read(1) == a[1:3])), int(x.size()))  # check
"""),
    "dynamic_size_clear_after_read": dict(random=True, code="""
y = tf.TensorArray(tf.float32, 3, dynamic_size=True, clear_after_read=True)
v = tf.random.normal([4, 2,3])
print(type(y.unstack(v)).__name__)
print(y.read(0))
print(y.read(1))
print(bool(tf.reduce_all(y.read(2) == v[2])), int(y.size()))  # check: dynamic_size let 4 rows in
try:
    y.read(1)  # 由于clear_after_read=True，第二次read(1)时会异常
except Exception as e:
    print(type(e).__name__)
"""),
}
