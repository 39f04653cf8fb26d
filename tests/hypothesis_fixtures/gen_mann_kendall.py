#!/usr/bin/env python3
"""Generates mann_kendall_golden.json: Mann-Kendall test results (S, Var S, z, p, tau, Sen's
slope) from the pymannkendall package for tests/hypothesis_tests.rs.

Run from the repository root:  pip install pymannkendall && python3 tests/hypothesis_fixtures/gen_mann_kendall.py
"""
import json
import os
from importlib.metadata import version

import pymannkendall as mk

series = {
    "rising_with_ties": [1, 3, 2, 5, 4, 4, 7, 6, 9, 8],
    "flat_noise": [5.1, 4.9, 5.0, 5.2, 4.8, 5.0, 5.1, 4.9, 5.05, 4.95, 5.0, 5.02],
    "falling": [20.0, 19.5, 19.7, 18.2, 18.9, 17.0, 16.4, 16.9, 15.1, 14.0, 14.2, 13.3, 12.0],
    "many_ties": [2, 2, 2, 3, 3, 2, 3, 3, 3, 4, 4, 4],
}
out = {"pymannkendall": version("pymannkendall"), "cases": {}}
for name, x in series.items():
    r = mk.original_test(x)
    out["cases"][name] = {"series": x, "s": int(r.s), "var_s": float(r.var_s), "z": float(r.z),
                          "p": float(r.p), "tau": float(r.Tau), "sen_slope": float(r.slope)}

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "mann_kendall_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
