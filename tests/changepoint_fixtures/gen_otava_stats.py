#!/usr/bin/env python3
"""Generates otava_stats_golden.json: the full statistics (means, population stddevs, p-value,
magnitude) that Apache Otava reports for each change point of the reference series, so
tests/changepoint_stats.rs can check more than the indexes.

Oracle: the released apache-otava 0.8.0 from PyPI (its change-point code matches the snapshot the
shared/data/changepoint expectations came from). Run from the repository root:

    python3 -m venv /tmp/otava-venv && /tmp/otava-venv/bin/pip install apache-otava==0.8.0
    /tmp/otava-venv/bin/python tests/changepoint_fixtures/gen_otava_stats.py
"""
import csv
import json
import os
from importlib.metadata import version

from otava.analysis import TTestSignificanceTester, compute_change_points
from otava.change_point_divisive.calculator import PairDistanceCalculator
from otava.change_point_divisive.detector import ChangePointDetector

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "..", "shared", "data", "changepoint")


def load(name):
    with open(os.path.join(data, name)) as f:
        return [float(r["value"]) for r in csv.DictReader(f)]


def dump(cps):
    return [{"index": int(cp.index), "mean_before": float(cp.stats.mean_1),
             "mean_after": float(cp.stats.mean_2), "stddev_before": float(cp.stats.std_1),
             "stddev_after": float(cp.stats.std_2), "p_value": float(cp.stats.pvalue),
             "magnitude": float(cp.stats.change_magnitude())} for cp in cps]


out = {"oracle": "apache-otava " + version("apache-otava"), "cases": []}
tb = load("tigerbeetle.csv")
for window_len, max_p, min_mag in [(30, 0.01, 0.05), (30, 0.1, 0.05), (30, 0.001, 0.0),
                                   (50, 0.001, 0.0), (12, 0.05, 0.0)]:
    cps, _ = compute_change_points(tb, window_len, max_p, min_mag)
    out["cases"].append({"method": "compute_change_points", "series": "tigerbeetle.csv",
                         "window_len": window_len, "max_pvalue": max_p,
                         "min_magnitude": min_mag, "change_points": dump(cps)})
seq = load("otava_divisive_sequence.csv")
for max_p in [0.01, 0.2]:
    det = ChangePointDetector(TTestSignificanceTester(max_p), PairDistanceCalculator)
    out["cases"].append({"method": "divisive_ttest", "series": "otava_divisive_sequence.csv",
                         "max_pvalue": max_p, "change_points": dump(det.get_change_points(seq))})
det = ChangePointDetector(TTestSignificanceTester(0.001), PairDistanceCalculator)
out["cases"].append({"method": "divisive_ttest", "series": "tigerbeetle.csv", "max_pvalue": 0.001,
                     "change_points": dump(det.get_change_points(tb))})

with open(os.path.join(here, "otava_stats_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
