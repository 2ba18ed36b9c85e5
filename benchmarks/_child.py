"""Time workloads under one framework and print the results as one JSON line on stdout.

    python benchmarks/_child.py --framework tensorflow [--filter NAME] [--repeat N] [--min-time S]

`run.py` starts this with TF's interpreter for the TF column; it also imports `time_workload` from
here to time tensorweave and bare torch in its own process, so every column is measured the same way.
Only the standard library and numpy are imported at module level: the framework is imported on demand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import timeit
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import workloads as _workloads  # noqa: E402

FRAMEWORKS = ("tensorweave", "tensorflow", "torch")


def import_framework(framework: str):
    """Import and return the module to bind as `tf` (or `torch`) in workload code."""
    if framework == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as mod
    elif framework == "tensorweave":
        if REPO_ROOT not in sys.path:
            sys.path.append(REPO_ROOT)  # fallback when tensorweave is not installed in this interpreter
        import tensorweave as mod
    elif framework == "torch":
        import torch as mod
    else:
        raise ValueError(f"unknown framework {framework!r}; expected one of {FRAMEWORKS}")
    return mod


def set_threads(framework: str, mod, threads: int | None) -> None:
    """Pin the kernel thread pools (torch's intra-op pool; TF's intra- and inter-op pools) to `threads`."""
    if not threads:
        return
    if framework == "tensorflow":
        mod.config.threading.set_intra_op_parallelism_threads(threads)
        mod.config.threading.set_inter_op_parallelism_threads(threads)
    else:
        import torch

        torch.set_num_threads(threads)


def framework_meta(framework: str, mod) -> dict:
    meta = {
        "framework": framework,
        "python": platform.python_version(),
        "version": getattr(mod, "__version__", "?"),
    }
    try:
        import torch

        meta["torch_version"] = torch.__version__
        meta["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    if framework == "tensorflow":
        meta["tf_intra_op_threads"] = mod.config.threading.get_intra_op_parallelism_threads()
        meta["tf_inter_op_threads"] = mod.config.threading.get_inter_op_parallelism_threads()
    return meta


def _checksum(value) -> float | None:
    """float64 sum of the statement's result, to check all frameworks computed the same thing."""
    import numpy as np

    try:
        if hasattr(value, "detach"):  # torch tensor
            value = value.detach().cpu()
        if hasattr(value, "numpy"):
            value = value.numpy()
        return float(np.asarray(value, dtype=np.float64).sum())
    except Exception:
        return None


def time_workload(
    workload, framework: str, mod, repeat: int = 7, min_time: float = 0.1, budget: float = 3.0
) -> dict:
    """Time one workload; returns a dict with per-iteration seconds (`best`, `median`) or `error`.

    The statement is calibrated to run `number` times per repeat so one repeat takes at least
    `min_time` seconds (like timeit's autorange), then timed up to `repeat` times; repeats stop early
    (after at least 3) once `budget` seconds have gone on this workload. GC is off while timing.
    """
    import numpy as np

    code = workload.code(framework)
    if code is None:
        return {"skipped": "no code for this framework"}
    setup, stmt = code
    ns = {"np": np, "torch" if framework == "torch" else "tf": mod, "__name__": "__bench__"}
    stage = "setup"
    start = time.perf_counter()
    try:
        exec(compile(setup, f"<{workload.name}:setup>", "exec"), ns)
        stage = "stmt"
        timer = timeit.Timer(stmt, globals=ns)
        first = timer.timeit(number=1)  # first call: lazy imports, kernel selection, caches
        number = 1
        while True:
            elapsed = timer.timeit(number=number)
            if elapsed >= min_time:
                break
            # grow towards min_time in one or two steps rather than doubling many times
            number = max(number * 2, int(number * min_time / max(elapsed, 1e-9) * 1.1))
        per_iter = []
        while len(per_iter) < repeat:
            per_iter.append(timer.timeit(number=number) / number)
            if len(per_iter) >= 3 and time.perf_counter() - start > budget:
                break
        result = eval(compile(stmt, f"<{workload.name}:stmt>", "eval"), ns) if _is_expr(stmt) else None
    except Exception as exc:  # report and carry on with the next workload
        return {"error": f"{type(exc).__name__} in {stage}: {exc}", "traceback": traceback.format_exc()}
    return {
        "best": min(per_iter),
        "median": statistics.median(per_iter),
        "repeats": per_iter,
        "number": number,
        "first_call": first,
        "checksum": _checksum(result) if result is not None else None,
    }


def _is_expr(src: str) -> bool:
    try:
        compile(src, "<stmt>", "eval")
        return True
    except SyntaxError:
        return False


def run_framework(
    framework: str,
    pattern: str | None,
    repeat: int = 7,
    min_time: float = 0.1,
    budget: float = 3.0,
    threads: int | None = None,
) -> dict:
    t0 = time.perf_counter()
    mod = import_framework(framework)
    import_s = time.perf_counter() - t0
    set_threads(framework, mod, threads)
    meta = framework_meta(framework, mod)
    meta["import_s"] = import_s
    results = {
        w.name: time_workload(w, framework, mod, repeat, min_time, budget) for w in _workloads.select(pattern)
    }
    return {"meta": meta, "results": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=FRAMEWORKS)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.1)
    parser.add_argument("--budget", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    out = run_framework(args.framework, args.filter, args.repeat, args.min_time, args.budget, args.threads)
    sys.stdout.write("\n" + json.dumps(out) + "\n")  # the last line of stdout is the JSON document
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
