"""tf.nn ops against oracle-recorded fixtures (tests/fixtures/cases/nn.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("nn"))
def test_nn(case):
    check_fixture("nn", case)


# ---- layout: NHWC tensors reach torch's kernels as channels_last views, with no copies -------------

import numpy as np  # noqa: E402
import torch  # noqa: E402

import tensorweave as tf  # noqa: E402
from tensorweave._src.ops.nn import conv as conv_mod  # noqa: E402


def test_conv2d_nhwc_is_copy_free(monkeypatch):
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 8, 8, 4), dtype=np.float32))
    w = tf.constant(np.random.default_rng(1).standard_normal((3, 3, 4, 5), dtype=np.float32))
    seen = {}
    real_conv = conv_mod._TORCH_CONV[2]

    def spy(inp, weight, *args):
        seen["input"], seen["weight"] = inp, weight
        seen["output"] = real_conv(inp, weight, *args)
        return seen["output"]

    monkeypatch.setitem(conv_mod._TORCH_CONV, 2, spy)
    y = tf.nn.conv2d(x, w, 1, "SAME")
    inp, weight, out = seen["input"], seen["weight"], seen["output"]
    # the kernel got views of the tensors' own memory: NCHW in channels_last memory, OIHW of HWIO
    assert inp.data_ptr() == x._value.data_ptr() and inp.shape == (2, 4, 8, 8)
    assert inp.is_contiguous(memory_format=torch.channels_last)
    assert weight.data_ptr() == w._value.data_ptr() and weight.shape == (5, 4, 3, 3)
    # torch's channels_last output is the NHWC result itself, contiguous, without a copy
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert y._value.data_ptr() == out.data_ptr() and y._value.is_contiguous()
    np.testing.assert_allclose(
        y.numpy(),
        torch.nn.functional.conv2d(
            torch.from_numpy(x.numpy()).permute(0, 3, 1, 2),
            torch.from_numpy(w.numpy()).permute(3, 2, 0, 1),
            padding=1,
        )
        .permute(0, 2, 3, 1)
        .numpy(),
        rtol=1e-5,
        atol=1e-5,
    )


def test_conv2d_backward_is_copy_free(monkeypatch):
    x = tf.constant(np.ones((2, 8, 8, 4), np.float32))
    w = tf.constant(np.ones((3, 3, 4, 5), np.float32))
    calls = []
    real = torch.ops.aten.convolution_backward

    class Spy:
        def __call__(self, dy, inp, weight, *args):
            out = real(dy, inp, weight, *args)
            calls.append((dy, inp, weight, out))
            return out

    monkeypatch.setattr(
        conv_mod,
        "_conv_backward",
        lambda spec, x_t, w_t, dy_t, s, sym, d, groups, mask: Spy()(
            dy_t, x_t, w_t, None, s, sym, d, False, [0] * spec.n, groups, mask
        ),
    )
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, 1, "SAME")
        upstream = tf.ones_like(y)
        loss = tf.reduce_sum(y * upstream)
    gx, gw = tape.gradient(loss, [x, w])
    assert len(calls) == 2
    for dy, inp, weight, out in calls:
        assert dy.is_contiguous(memory_format=torch.channels_last)
        assert inp.is_contiguous(memory_format=torch.channels_last)
    (_, inp, _, out_x), (_, inp_w, _, _) = calls
    assert inp_w.data_ptr() == x._value.data_ptr()  # the filter gradient reads x in place
    assert gx._value.data_ptr() == out_x[0].data_ptr() and gx._value.is_contiguous()
    assert gx.shape == (2, 8, 8, 4) and gw.shape == (3, 3, 4, 5)
