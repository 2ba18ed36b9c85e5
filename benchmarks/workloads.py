"""Benchmark workloads, each defined once as source text.

A workload is a `Workload(name, setup, stmt, torch_setup=None, torch_stmt=None)`:

- `setup` and `stmt` are Python source run with `tf` bound to either `tensorweave` or `tensorflow`,
  and `np` bound to numpy. `setup` runs once; `stmt` is what gets timed. Build inputs in `setup`
  (usually with `tf.constant(np....)`) so only the op calls are measured.
- `torch_setup` / `torch_stmt` (optional) are the bare-PyTorch equivalent, run with `torch` and `np`
  bound. They give the floor that tensorweave's Python overhead is measured against.

This module must import nothing but the standard library: the TF child process imports it too.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    name: str
    setup: str
    stmt: str
    torch_setup: str | None = None
    torch_stmt: str | None = None
    description: str = ""

    def code(self, framework: str) -> tuple[str, str] | None:
        """(setup, stmt) for `framework` ("tensorweave", "tensorflow" or "torch"), or None."""
        if framework == "torch":
            if self.torch_stmt is None:
                return None
            return _dedent(self.torch_setup or ""), _dedent(self.torch_stmt)
        return _dedent(self.setup), _dedent(self.stmt)


def _dedent(src: str) -> str:
    return textwrap.dedent(src).strip("\n")


# --- the chain of 20 elementwise ops, written once per API -----------------------------------------
# Values stay bounded (tanh/sigmoid squash before every exp), so no inf/nan appears.
_CHAIN_TF = """
x = tf.constant(np.linspace(-1.0, 1.0, 1000, dtype=np.float32))
c1 = tf.constant(np.float32(0.5))
c2 = tf.constant(np.float32(1.5))

def chain(x):
    y = tf.add(x, c1)            # 1
    y = tf.multiply(y, c2)       # 2
    y = tf.tanh(y)               # 3
    y = tf.exp(y)                # 4
    y = tf.subtract(y, c1)       # 5
    y = tf.square(y)             # 6
    y = tf.sigmoid(y)            # 7
    y = tf.multiply(y, x)        # 8
    y = tf.add(y, c2)            # 9
    y = tf.sqrt(y)               # 10
    y = tf.sin(y)                # 11
    y = tf.abs(y)                # 12
    y = tf.math.log1p(y)         # 13 (TF 2 has no top-level tf.log1p)
    y = tf.subtract(y, x)        # 14
    y = tf.tanh(y)               # 15
    y = tf.exp(y)                # 16
    y = tf.negative(y)           # 17
    y = tf.maximum(y, x)         # 18
    y = tf.cos(y)                # 19
    y = tf.multiply(y, c2)       # 20
    return y
"""

_CHAIN_TORCH = """
x = torch.from_numpy(np.linspace(-1.0, 1.0, 1000, dtype=np.float32))
c1 = torch.tensor(0.5, dtype=torch.float32)
c2 = torch.tensor(1.5, dtype=torch.float32)

def chain(x):
    y = torch.add(x, c1)
    y = torch.mul(y, c2)
    y = torch.tanh(y)
    y = torch.exp(y)
    y = torch.sub(y, c1)
    y = torch.square(y)
    y = torch.sigmoid(y)
    y = torch.mul(y, x)
    y = torch.add(y, c2)
    y = torch.sqrt(y)
    y = torch.sin(y)
    y = torch.abs(y)
    y = torch.log1p(y)
    y = torch.sub(y, x)
    y = torch.tanh(y)
    y = torch.exp(y)
    y = torch.neg(y)
    y = torch.maximum(y, x)
    y = torch.cos(y)
    y = torch.mul(y, c2)
    return y
"""


# --- autodiff (issue 3) -----------------------------------------------------------------------
_MLP_TF = """
rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((128, 784), dtype=np.float32))
labels = tf.one_hot(tf.constant(rng.integers(0, 10, 128), dtype=tf.int32), 10)
w1 = tf.Variable(rng.standard_normal((784, 256), dtype=np.float32) * 0.05)
b1 = tf.Variable(np.zeros(256, np.float32))
w2 = tf.Variable(rng.standard_normal((256, 128), dtype=np.float32) * 0.05)
b2 = tf.Variable(np.zeros(128, np.float32))
w3 = tf.Variable(rng.standard_normal((128, 10), dtype=np.float32) * 0.05)
b3 = tf.Variable(np.zeros(10, np.float32))
params = [w1, b1, w2, b2, w3, b3]

def step():
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        h = tf.nn.relu(tf.matmul(h, w2) + b2)
        logits = tf.matmul(h, w3) + b3
        loss = tf.reduce_mean(tf.square(logits - labels))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.01 * g)
    return loss
"""

_MLP_TORCH = """
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.standard_normal((128, 784), dtype=np.float32))
labels = torch.nn.functional.one_hot(torch.from_numpy(rng.integers(0, 10, 128)), 10).float()
def mk(a):
    return torch.from_numpy(np.ascontiguousarray(a)).requires_grad_()
params = [mk(rng.standard_normal((784, 256), dtype=np.float32) * 0.05), mk(np.zeros(256, np.float32)),
          mk(rng.standard_normal((256, 128), dtype=np.float32) * 0.05), mk(np.zeros(128, np.float32)),
          mk(rng.standard_normal((128, 10), dtype=np.float32) * 0.05), mk(np.zeros(10, np.float32))]
w1, b1, w2, b2, w3, b3 = params

def step():
    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    logits = h @ w3 + b3
    loss = ((logits - labels) ** 2).mean()
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.sub_(0.01 * g)
    return loss
"""

# --- tf.function (issue 4): graphs traced once, then run by generated code ---------------------------
_FN_MLP_TF = """
rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((128, 784), dtype=np.float32))
labels = tf.one_hot(tf.constant(rng.integers(0, 10, 128), dtype=tf.int32), 10)
w1 = tf.Variable(rng.standard_normal((784, 256), dtype=np.float32) * 0.05)
b1 = tf.Variable(np.zeros(256, np.float32))
w2 = tf.Variable(rng.standard_normal((256, 128), dtype=np.float32) * 0.05)
b2 = tf.Variable(np.zeros(128, np.float32))
w3 = tf.Variable(rng.standard_normal((128, 10), dtype=np.float32) * 0.05)
b3 = tf.Variable(np.zeros(10, np.float32))
params = [w1, b1, w2, b2, w3, b3]

def forward(x):
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    h = tf.nn.relu(tf.matmul(h, w2) + b2)
    return tf.matmul(h, w3) + b3

@tf.function(autograph=False)
def predict(x):
    return forward(x)

@tf.function(autograph=False)
def train_step(x, labels):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(forward(x) - labels))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.01 * g)
    return loss
"""

_FN_MLP_TORCH = """
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.standard_normal((128, 784), dtype=np.float32))
labels = torch.nn.functional.one_hot(torch.from_numpy(rng.integers(0, 10, 128)), 10).float()
def mk(a):
    return torch.from_numpy(np.ascontiguousarray(a)).requires_grad_()
params = [mk(rng.standard_normal((784, 256), dtype=np.float32) * 0.05), mk(np.zeros(256, np.float32)),
          mk(rng.standard_normal((256, 128), dtype=np.float32) * 0.05), mk(np.zeros(128, np.float32)),
          mk(rng.standard_normal((128, 10), dtype=np.float32) * 0.05), mk(np.zeros(10, np.float32))]
w1, b1, w2, b2, w3, b3 = params

def forward(x):
    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    return h @ w3 + b3

def predict(x):
    with torch.no_grad():
        return forward(x)

def train_step(x, labels):
    loss = ((forward(x) - labels) ** 2).mean()
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.sub_(0.01 * g)
    return loss.detach()
"""


# --- convolution (issue 5): a 3x3, 64->64 conv2d on NHWC [64, 32, 32, 64] float32 ---------------------
# Bare torch runs the same kernels on channels_last memory (NHWC data seen as NCHW), which is what
# tensorweave hands torch without copies.
_CONV_TF = """
rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((64, 32, 32, 64), dtype=np.float32))
w = tf.constant(rng.standard_normal((3, 3, 64, 64), dtype=np.float32) * 0.05)

def step():
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, 1, "SAME")
        loss = tf.reduce_sum(y)
    gx, gw = tape.gradient(loss, [x, w])
    return gw
"""

_CONV_TORCH = """
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.standard_normal((64, 32, 32, 64), dtype=np.float32)).permute(0, 3, 1, 2)
w = torch.from_numpy(rng.standard_normal((3, 3, 64, 64), dtype=np.float32) * 0.05).permute(3, 2, 0, 1)
w = w.contiguous(memory_format=torch.channels_last)
xg = x.detach().requires_grad_()
wg = w.detach().requires_grad_()

def step():
    y = torch.nn.functional.conv2d(xg, wg, padding=1)
    gx, gw = torch.autograd.grad(y.sum(), [xg, wg])
    return gw
"""


# --- the seeds' LeNet-5 (issues 3, 4, 7) -------------------------------------------------------------
_LENET_TF = """
layers, Sequential = tf.keras.layers, tf.keras.Sequential
rng = np.random.default_rng(0)
x = tf.constant(rng.random((128, 28, 28, 1), dtype=np.float32))
y = tf.one_hot(tf.constant(rng.integers(0, 10, 128), dtype=tf.int32), 10)
tf.random.set_seed(0)
network = Sequential([
    layers.Conv2D(6, kernel_size=3, strides=1), layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
    layers.Conv2D(16, kernel_size=3, strides=1), layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
    layers.Flatten(), layers.Dense(120, activation='relu'), layers.Dense(84, activation='relu'),
    layers.Dense(10)])
network.build(input_shape=(None, 28, 28, 1))
criteon = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(0.01)

def eager_step():
    with tf.GradientTape() as tape:
        loss = criteon(y, network(x, training=True))
    grads = tape.gradient(loss, network.trainable_variables)
    optimizer.apply_gradients(zip(grads, network.trainable_variables))
    return loss

graph_step = tf.function(eager_step)

xs = rng.random((60000, 28, 28, 1), dtype=np.float32)
ys = rng.integers(0, 10, 60000).astype(np.int32)
fit_model = tf.keras.models.clone_model(network)
fit_model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
fit_model.fit(xs[:256], ys[:256], batch_size=128, epochs=1, verbose=0)
"""

WORKLOADS: list[Workload] = [
    Workload(
        name="scalar_add",
        description="eager tf.add of two scalar float32 constants (pure per-op overhead)",
        setup="""
            a = tf.constant(1.0, dtype=tf.float32)
            b = tf.constant(2.0, dtype=tf.float32)
        """,
        stmt="tf.add(a, b)",
        torch_setup="""
            a = torch.tensor(1.0, dtype=torch.float32)
            b = torch.tensor(2.0, dtype=torch.float32)
        """,
        torch_stmt="torch.add(a, b)",
    ),
    Workload(
        name="matmul_128",
        description="128x128 @ 128x128 float32 tf.matmul",
        setup="""
            rng = np.random.default_rng(0)
            a = tf.constant(rng.standard_normal((128, 128), dtype=np.float32))
            b = tf.constant(rng.standard_normal((128, 128), dtype=np.float32))
        """,
        stmt="tf.matmul(a, b)",
        torch_setup="""
            rng = np.random.default_rng(0)
            a = torch.from_numpy(rng.standard_normal((128, 128), dtype=np.float32))
            b = torch.from_numpy(rng.standard_normal((128, 128), dtype=np.float32))
        """,
        torch_stmt="torch.matmul(a, b)",
    ),
    Workload(
        name="elementwise_chain_20",
        description="20 eager elementwise ops (add/mul/tanh/exp/sub/...) on a [1000] float32 vector",
        setup=_CHAIN_TF,
        stmt="chain(x)",
        torch_setup=_CHAIN_TORCH,
        torch_stmt="chain(x)",
    ),
    Workload(
        name="tape_scalar_grad",
        description="GradientTape: gradient of y = x*x + x for a scalar x",
        setup="""
            x = tf.constant(3.0)
            def grad():
                with tf.GradientTape() as g:
                    g.watch(x)
                    y = x * x + x
                return g.gradient(y, x)
        """,
        stmt="grad()",
        torch_setup="""
            x = torch.tensor(3.0, requires_grad=True)
            def grad():
                y = x * x + x
                return torch.autograd.grad(y, x)[0]
        """,
        torch_stmt="grad()",
    ),
    Workload(
        name="tape_chain_20",
        description="the 20-op elementwise chain recorded on a tape (compare with elementwise_chain_20)",
        setup=_CHAIN_TF + """
def taped(x):
    with tf.GradientTape() as g:
        g.watch(x)
        y = chain(x)
    return y
""",
        stmt="taped(x)",
    ),
    Workload(
        name="mlp_step",
        description="eager GradientTape SGD step of an MLP 784-256-128-10, batch 128",
        setup=_MLP_TF,
        stmt="step()",
        torch_setup=_MLP_TORCH,
        torch_stmt="step()",
    ),
    Workload(
        name="function_call_overhead",
        description="calling a tiny tf.function (x + 1.0 on a scalar): per-call overhead of graph execution",
        setup="""
            x = tf.constant(1.0)

            @tf.function(autograph=False)
            def f(x):
                return x + 1.0
        """,
        stmt="f(x)",
        torch_setup="""
            x = torch.tensor(1.0)

            def f(x):
                return x + 1.0
        """,
        torch_stmt="f(x)",
    ),
    Workload(
        name="function_chain_20",
        description="the 20-op elementwise chain as a tf.function (compare with elementwise_chain_20)",
        setup=_CHAIN_TF + """
chain = tf.function(chain, autograph=False)
""",
        stmt="chain(x)",
        torch_setup=_CHAIN_TORCH,
        torch_stmt="chain(x)",
    ),
    Workload(
        name="function_mlp_forward",
        description="tf.function forward pass of an MLP 784-256-128-10, batch 128",
        setup=_FN_MLP_TF,
        stmt="predict(x)",
        torch_setup=_FN_MLP_TORCH,
        torch_stmt="predict(x)",
    ),
    Workload(
        name="function_mlp_step",
        description="tf.function SGD training step (GradientTape inside) of the same MLP",
        setup=_FN_MLP_TF,
        stmt="train_step(x, labels)",
        torch_setup=_FN_MLP_TORCH,
        torch_stmt="train_step(x, labels)",
    ),
    Workload(
        name="conv2d_3x3_64",
        description="tf.nn.conv2d 3x3, 64->64 channels, SAME, on NHWC [64, 32, 32, 64] float32",
        setup=_CONV_TF,
        stmt='tf.nn.conv2d(x, w, 1, "SAME")',
        torch_setup=_CONV_TORCH,
        torch_stmt="torch.nn.functional.conv2d(x, w, padding=1)",
    ),
    Workload(
        name="conv2d_3x3_64_fwd_bwd",
        description="conv2d_3x3_64 forward + GradientTape backward (input and filter gradients)",
        setup=_CONV_TF,
        stmt="step()",
        torch_setup=_CONV_TORCH,
        torch_stmt="step()",
    ),
    Workload(name="lenet_eager_step", description="seeds' LeNet-5 GradientTape + Adam step, batch 128, eager",
             setup=_LENET_TF, stmt="eager_step()"),
    Workload(name="lenet_function_step", description="the same LeNet-5 step as one tf.function",
             setup=_LENET_TF, stmt="graph_step()"),
    Workload(name="lenet_fit_epoch", description="model.fit of LeNet-5 on 60000x28x28, batch 128, one epoch",
             setup=_LENET_TF, stmt="fit_model.fit(xs, ys, batch_size=128, epochs=1, verbose=0)"),
    Workload(name="lenet_predict_10000", description="model.predict on 10000 images",
             setup=_LENET_TF, stmt="fit_model.predict(xs[:10000], batch_size=128, verbose=0)"),
]


def select(pattern: str | None) -> list[Workload]:
    """Workloads whose name contains `pattern` (case-insensitive); a comma separates alternatives."""
    if not pattern:
        return list(WORKLOADS)
    parts = [p.strip().lower() for p in pattern.split(",") if p.strip()]
    return [w for w in WORKLOADS if any(p in w.name.lower() for p in parts)]

# --- tf.data (issue 6) ---------------------------------------------------------------------------------
from data_workloads import data_workloads  # noqa: E402  (benchmarks/ is on sys.path)

WORKLOADS += data_workloads(Workload)
