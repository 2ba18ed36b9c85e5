"""Benchmark tensorweave against real TensorFlow and bare PyTorch.

    python benchmarks/run.py [--tf PATH_TO_TF_PYTHON] [--filter NAME] [--json out.json]

Every workload in benchmarks/workloads.py is timed under tensorweave and bare torch in this process,
and, with --tf, under TensorFlow in a child process started with that interpreter (benchmarks/_child.py).
Times are per iteration: the best (min) of up to --repeat repeats, each at least --min-time long
(--stat median shows the median instead). Tensorweave's result is checked against the others' by sum.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import _child  # noqa: E402
import workloads as _workloads  # noqa: E402


def timing_options(args) -> dict:
    """The timing settings shared by every framework's run (keyword arguments of _child.run_framework)."""
    return {
        "pattern": args.filter,
        "repeat": args.repeat,
        "min_time": args.min_time,
        "budget": args.budget,
        "threads": args.threads,
    }


def run_tf_child(python: str, options: dict, timeout: float) -> dict:
    """Run the workloads under TensorFlow with `python`; returns {"meta", "results"} or {"error"}."""
    cmd = [python, os.path.join(HERE, "_child.py"), "--framework", "tensorflow"]
    for key, value in options.items():
        if value is not None:
            flag = "--filter" if key == "pattern" else "--" + key.replace("_", "-")
            cmd += [flag, str(value)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=HERE)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        return {"error": f"TF child exited with {proc.returncode}:\n{tail}"}
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": f"TF child printed no JSON; last line: {lines[-1][:200]!r}"}


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(a, b) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    return f"{a / b:.2f}x"


def cell(res: dict | None, stat: str):
    """(seconds per iteration or None, text for the table)."""
    if res is None:
        return None, "-"
    if "error" in res:
        return None, "ERROR"
    if "skipped" in res:
        return None, "-"
    return res[stat], fmt_time(res[stat])


def checksums_agree(results: list[dict | None]) -> bool:
    sums = [r.get("checksum") for r in results if r and r.get("checksum") is not None]
    if len(sums) < 2:
        return True
    ref = sums[0]
    return all(abs(s - ref) <= 1e-4 * max(1.0, abs(ref)) for s in sums[1:])


def print_table(names, tw, tf, torch, have_tf: bool, stat: str = "best") -> list[str]:
    header = ["workload", "tensorweave", "tensorflow", "tw/tf", "torch", "tw/torch"]
    if not have_tf:
        header = ["workload", "tensorweave", "torch", "tw/torch"]
    rows, notes = [], []
    for name in names:
        r_tw, r_tf, r_t = tw.get(name), tf.get(name), torch.get(name)
        v_tw, s_tw = cell(r_tw, stat)
        v_tf, s_tf = cell(r_tf, stat)
        v_t, s_t = cell(r_t, stat)
        for label, r in (("tensorweave", r_tw), ("tensorflow", r_tf), ("torch", r_t)):
            if r and "error" in r:
                notes.append(f"{name} [{label}]: {r['error'].splitlines()[0]}")
        if not checksums_agree([r_tw, r_tf, r_t]):
            name_shown = name + " *"
            sums = ", ".join(
                f"{lab}={r.get('checksum')!r}"
                for lab, r in (("tw", r_tw), ("tf", r_tf), ("torch", r_t))
                if r and "checksum" in r
            )
            notes.append(f"{name}: results differ between frameworks (sums: {sums})")
        else:
            name_shown = name
        if have_tf:
            rows.append([name_shown, s_tw, s_tf, fmt_ratio(v_tw, v_tf), s_t, fmt_ratio(v_tw, v_t)])
        else:
            rows.append([name_shown, s_tw, s_t, fmt_ratio(v_tw, v_t)])
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        )

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    print("\n".join(out))
    if notes:
        print()
        print("\n".join(notes))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tf",
        metavar="PY",
        default=None,
        help="python interpreter with tensorflow installed; adds the TF column",
    )
    parser.add_argument(
        "--filter",
        metavar="NAME",
        default=None,
        help="only workloads whose name contains NAME (comma-separated alternatives)",
    )
    parser.add_argument("--json", metavar="FILE", default=None, help="also write all results to FILE")
    parser.add_argument("--repeat", type=int, default=7, help="timed repeats per workload (default 7)")
    parser.add_argument(
        "--min-time",
        type=float,
        default=0.1,
        help="seconds each repeat runs at least (iterations are calibrated to it)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=3.0,
        help="seconds per workload and framework after which repeats stop (after 3)",
    )
    parser.add_argument(
        "--stat",
        choices=("best", "median"),
        default="best",
        help="statistic over the repeats shown in the table (default: best = min)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="pin torch's and TF's kernel thread pools to N threads (default: each framework's own default)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the bare-torch column")
    parser.add_argument("--tf-timeout", type=float, default=600.0, help="seconds allowed for the TF child")
    parser.add_argument("--verbose", "-v", action="store_true", help="print tracebacks of failing workloads")
    args = parser.parse_args(argv)

    selected = _workloads.select(args.filter)
    if not selected:
        print(
            f"no workload matches {args.filter!r}; known: {', '.join(w.name for w in _workloads.WORKLOADS)}",
            file=sys.stderr,
        )
        return 2
    names = [w.name for w in selected]
    t_start = time.perf_counter()

    print(f"tensorweave: timing {len(names)} workload(s) in-process ...", file=sys.stderr, flush=True)
    tw_run = _child.run_framework("tensorweave", **timing_options(args))
    torch_run = {"meta": {}, "results": {}}
    if not args.no_torch:
        print("torch: timing in-process ...", file=sys.stderr, flush=True)
        torch_run = _child.run_framework("torch", **timing_options(args))
    tf_run = {"meta": {}, "results": {}}
    if args.tf:
        print(f"tensorflow: timing in a child process ({args.tf}) ...", file=sys.stderr, flush=True)
        tf_run = run_tf_child(args.tf, timing_options(args), args.tf_timeout)
        if "error" in tf_run:
            print(f"TensorFlow run failed: {tf_run['error']}", file=sys.stderr)
            failed = {"error": "TF child process failed: " + tf_run["error"].splitlines()[0]}
            tf_run["results"] = {name: failed for name in names}

    print()
    print_table(
        names,
        tw_run["results"],
        tf_run.get("results", {}),
        torch_run["results"],
        have_tf=bool(args.tf),
        stat=args.stat,
    )
    tf_meta = tf_run.get("meta", {})
    tw_meta = tw_run["meta"]
    info = [f"tensorweave (torch {tw_meta.get('torch_version')}, {tw_meta.get('torch_threads')} threads)"]
    if tf_meta:
        info.append(
            f"tensorflow {tf_meta.get('version')} (intra-op threads setting "
            f"{tf_meta.get('tf_intra_op_threads')}, 0 = default)"
        )
    stat_desc = "best (min)" if args.stat == "best" else "median"
    print(
        f"\nper-iteration time, {stat_desc} of up to {args.repeat} repeats; {'; '.join(info)}; "
        f"total {time.perf_counter() - t_start:.1f}s"
    )

    if args.verbose:
        for label, run in (("tensorweave", tw_run), ("tensorflow", tf_run), ("torch", torch_run)):
            for name, res in run.get("results", {}).items():
                if "traceback" in res:
                    print(f"\n--- {name} [{label}] ---\n{res['traceback']}", file=sys.stderr)

    if args.json:
        doc = {
            "config": {
                "repeat": args.repeat,
                "min_time": args.min_time,
                "budget": args.budget,
                "threads": args.threads,
                "filter": args.filter,
                "tf_python": args.tf,
            },
            "workloads": {w.name: w.description for w in selected},
            "tensorweave": tw_run,
            "tensorflow": tf_run if args.tf else None,
            "torch": None if args.no_torch else torch_run,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"wrote {args.json}", file=sys.stderr)
    return 1 if "error" in tf_run else 0  # a workload that errors is reported, not fatal


if __name__ == "__main__":
    sys.exit(main())
