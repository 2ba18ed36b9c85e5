"""Times tensorweave workloads with the graph optimization passes off and on (same process).

    python benchmarks/passes.py [--filter function_] [--rounds 2] [--threads 1]

Only tf.function workloads are affected (eager ops run no passes). Each round times the workload once
with `tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})` and once without,
alternating so machine noise hits both alike; the table shows the best and the median over all repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import _child  # noqa: E402
import workloads as _workloads  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filter", default="function_")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    tf = _child.import_framework("tensorweave")
    _child.set_threads("tensorweave", tf, args.threads)
    selected = _workloads.select(args.filter)
    if not selected:
        return 2
    print(f"{'workload':24s} {'passes off':>11s} {'passes on':>11s} {'speedup':>8s}   "
          f"{'median off':>11s} {'median on':>11s} {'speedup':>8s}")
    for w in selected:
        reps = {True: [], False: []}
        error = None
        for _ in range(args.rounds):
            for disable in (True, False):
                tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": disable})
                r = _child.time_workload(w, "tensorweave", tf, args.repeat, args.min_time, budget=1e9)
                if "error" in r:
                    error = r["error"]
                    break
                reps[disable] += r["repeats"]
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": False})
        if error:
            print(f"{w.name:24s} ERROR {error}")
            continue
        off, on = min(reps[True]), min(reps[False])
        moff, mon = statistics.median(reps[True]), statistics.median(reps[False])
        print(f"{w.name:24s} {_child_fmt(off):>11s} {_child_fmt(on):>11s} {off / on:7.2f}x   "
              f"{_child_fmt(moff):>11s} {_child_fmt(mon):>11s} {moff / mon:7.2f}x", flush=True)
    return 0


def _child_fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


if __name__ == "__main__":
    sys.exit(main())
