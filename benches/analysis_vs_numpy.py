#!/usr/bin/env python3
"""Time the analysis pipeline in Rust against numpy/scipy on the same samples, in one run.

    pip install numpy scipy
    python3 benches/analysis_vs_numpy.py [--n 1000000] [--reps 15] [--seed 7]

The samples (latency-like: rounded log-normal nanoseconds, so values repeat and the mode exists,
plus a slow drift and a few spikes) are written once as raw f64 and read by the Rust example
`examples/analyze_bench.rs`, which is built in release mode and kept running (`--serve`).
Repetitions alternate Rust / numpy so both see the same machine load; medians are reported.

One repetition computes: mean, median, mode, sample sd and variance, min, max, range, skewness
(G1), excess kurtosis (G2), p50/p90/p95/p99/p99.9 (linear), an OLS trend over t = 0, 1, ... s,
the z-score outlier count (|x - mean|/sd > 2) and Framework0's IQR outlier count
(q1 = sorted[n/4], q3 = sorted[3n/4], fences at 3 IQR).

Two numpy variants: "idiomatic" calls each library function on the raw array (np.median,
np.percentile, scipy.stats.mode, ...); "sort-once" sorts one copy and reads median, mode,
percentiles and quartiles off it, as our Rust summary does. Results are cross-checked.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.stats

ROOT = Path(__file__).resolve().parent.parent
PERCENTS = [50, 90, 95, 99, 99.9]


def samples(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(11.5, 0.6, n) + np.linspace(0.0, 5000.0, n))
    spikes = rng.choice(n, n // 1000, replace=False)
    x[spikes] *= 20.0
    return x


def outlier_counts(x, mean, sd, q1, q3):
    z = int(np.count_nonzero(np.abs(x - mean) / sd > 2.0))
    k = 1.5 * 2.0
    iqr = q3 - q1
    return z, int(np.count_nonzero((x < q1 - k * iqr) | (x > q3 + k * iqr)))


def numpy_idiomatic(x, t):
    n = x.size
    mean = x.mean()
    sd = x.std(ddof=1)
    mode = scipy.stats.mode(x, keepdims=False)
    lr = scipy.stats.linregress(t, x)
    part = np.partition(x, [n // 4, 3 * n // 4])
    q1, q3 = part[n // 4], part[3 * n // 4]
    z, iqr = outlier_counts(x, mean, sd, q1, q3)
    return {
        "mean": mean, "median": np.median(x), "mode": mode.mode if mode.count > 1 else None,
        "std_dev": sd, "variance": x.var(ddof=1), "min": x.min(), "max": x.max(), "range": np.ptp(x),
        "percentiles": np.percentile(x, PERCENTS), "skewness": scipy.stats.skew(x, bias=False),
        "kurtosis": scipy.stats.kurtosis(x, bias=False), "slope": lr.slope, "r_squared": lr.rvalue**2,
        "z_count": z, "iqr_count": iqr,
    }


def numpy_sort_once(x, t):
    n = x.size
    s = np.sort(x)
    mean = x.mean()
    sd = x.std(ddof=1)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    runs = np.diff(np.append(starts, n))
    best = runs.argmax()
    lr = scipy.stats.linregress(t, x)
    q1, q3 = s[n // 4], s[3 * n // 4]
    z, iqr = outlier_counts(x, mean, sd, q1, q3)
    return {
        "mean": mean, "median": 0.5 * (s[(n - 1) // 2] + s[n // 2]),
        "mode": s[starts[best]] if runs[best] > 1 else None, "std_dev": sd, "variance": sd * sd,
        "min": s[0], "max": s[-1], "range": s[-1] - s[0],
        "percentiles": np.quantile(s, np.array(PERCENTS) / 100.0),
        "skewness": scipy.stats.skew(x, bias=False), "kurtosis": scipy.stats.kurtosis(x, bias=False),
        "slope": lr.slope, "r_squared": lr.rvalue**2, "z_count": z, "iqr_count": iqr,
    }


def ours(proc):
    proc.stdin.write("run\n")
    proc.stdin.flush()
    reply = json.loads(proc.stdout.readline())
    r, s = reply["results"], reply["results"]["summary"]
    return reply["seconds"], {
        "mean": s["mean"], "median": s["median"], "mode": s["mode"], "std_dev": s["std_dev"],
        "variance": s["variance"], "min": s["min_value"], "max": s["max_value"], "range": s["range_span"],
        "percentiles": [s["percentiles"][str(p)] for p in PERCENTS], "skewness": s["skewness"],
        "kurtosis": s["kurtosis"], "slope": r["slope"], "r_squared": r["r_squared"],
        "z_count": r["z_count"], "iqr_count": r["iqr_count"],
    }


def timed(f, *args):
    start = time.perf_counter()
    out = f(*args)
    return time.perf_counter() - start, out


def disagreements(a, b, tol=1e-9):
    bad = []
    for key in a:
        va, vb = np.atleast_1d(np.asarray(a[key], dtype=float)), np.atleast_1d(np.asarray(b[key], dtype=float))
        if not np.allclose(va, vb, rtol=tol, atol=0.0):
            bad.append(f"{key}: {va.tolist()} vs {vb.tolist()}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "analyze_bench"], cwd=ROOT, check=True)
    x = samples(args.n, args.seed)
    t = np.arange(args.n, dtype=np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "samples.f64"
        x.astype("<f8").tofile(path)
        exe = ROOT / "target" / "release" / "examples" / "analyze_bench"
        proc = subprocess.Popen([str(exe), "--input", str(path), "--serve"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        times = {"rust": [], "numpy idiomatic": [], "numpy sort-once": []}
        ours(proc), numpy_idiomatic(x, t), numpy_sort_once(x, t)  # warm-up
        for _ in range(args.reps):
            seconds, rust = ours(proc)
            times["rust"].append(seconds)
            dt, idiomatic = timed(numpy_idiomatic, x, t)
            times["numpy idiomatic"].append(dt)
            dt, sort_once = timed(numpy_sort_once, x, t)
            times["numpy sort-once"].append(dt)
        proc.stdin.close()
        proc.wait()

    print(f"{args.n} samples, {args.reps} alternating repetitions (numpy {np.__version__}, "
          f"scipy {scipy.__version__}); median [min, max] ms:")
    medians = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"  {k:<16} {medians[k] * 1e3:8.2f}  [{min(v) * 1e3:.2f}, {max(v) * 1e3:.2f}]")
    for k in ("numpy idiomatic", "numpy sort-once"):
        print(f"  ratio rust / {k}: {medians['rust'] / medians[k]:.3f}x")
    for name, ref in (("numpy idiomatic", idiomatic), ("numpy sort-once", sort_once)):
        bad = disagreements(rust, ref)
        print(f"  results vs {name}: " + ("agree (rtol 1e-9)" if not bad else "DIFFER: " + "; ".join(bad)))
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
