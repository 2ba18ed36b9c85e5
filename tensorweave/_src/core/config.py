"""`tf.config`: devices and threading. Devices are the CPU (and CUDA GPUs when torch sees them);
threading maps TF's intra-op parallelism onto the kernel library's thread pool.

>>> import tensorweave as tf
>>> [d.device_type for d in tf.config.list_physical_devices("CPU")]
['CPU']
"""

from __future__ import annotations

import collections

import torch

from tensorweave._src.api_export import tf_export

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
tf_export("config.PhysicalDevice")(PhysicalDevice)
tf_export("config.LogicalDevice")(LogicalDevice)

_THREADS = {"inter": 0}


def _devices(kind, cls):
    out = [cls("/physical_device:CPU:0" if cls is PhysicalDevice else "/device:CPU:0", "CPU")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            out.append(cls(f"/physical_device:GPU:{i}" if cls is PhysicalDevice else f"/device:GPU:{i}", "GPU"))
    return [d for d in out if kind is None or d.device_type == kind]


@tf_export("config.list_physical_devices")
def list_physical_devices(device_type=None) -> list:
    return _devices(device_type, PhysicalDevice)


@tf_export("config.list_logical_devices")
def list_logical_devices(device_type=None) -> list:
    return _devices(device_type, LogicalDevice)


@tf_export("config.get_visible_devices")
def get_visible_devices(device_type=None) -> list:
    return _devices(device_type, PhysicalDevice)


@tf_export("config.threading.get_intra_op_parallelism_threads")
def get_intra_op_parallelism_threads() -> int:
    return torch.get_num_threads()


@tf_export("config.threading.set_intra_op_parallelism_threads")
def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Threads used inside one op (0 keeps the library's default, one per core)."""
    if num_threads > 0:
        torch.set_num_threads(int(num_threads))


@tf_export("config.threading.get_inter_op_parallelism_threads")
def get_inter_op_parallelism_threads() -> int:
    return _THREADS["inter"]


@tf_export("config.threading.set_inter_op_parallelism_threads")
def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Accepted for compatibility: ops run one at a time in program order."""
    _THREADS["inter"] = int(num_threads)
