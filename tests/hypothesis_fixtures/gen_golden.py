#!/usr/bin/env python3
"""Generates special_golden.json: reference values from SciPy for the special functions and
hypothesis tests of src/analyze/{special,hypothesis}.rs.

Run from the repository root:  python3 tests/hypothesis_fixtures/gen_golden.py
Needs numpy and scipy (pip install numpy scipy). The versions used are recorded in the output.
"""
import json
import os

import numpy as np
import scipy
from scipy import special, stats

out = {"numpy": np.__version__, "scipy": scipy.__version__}

# Student t: two-sided p, cdf, quantile over a grid of t and degrees of freedom.
dfs = [1, 2, 3, 4.5, 7, 10, 29, 58, 100, 1000, 1e5]
ts = [0.0, 0.01, 0.5, 1.0, 1.96, 2.5, 3.7, 6.0, 12.0, 40.0, -0.3, -2.2, -9.0]
out["t_dist"] = [
    {"t": t, "df": df, "two_sided_p": float(2 * stats.t.sf(abs(t), df)),
     "cdf": float(stats.t.cdf(t, df)), "sf": float(stats.t.sf(t, df))}
    for df in dfs for t in ts
]
ps = [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999]
out["t_quantile"] = [{"p": p, "df": df, "q": float(stats.t.ppf(p, df))} for df in dfs for p in ps]

# Normal distribution and erfc.
xs = [-38.0, -20.0, -8.5, -5.0, -3.0, -1.96, -1.0, -0.4, 0.0, 0.2, 0.7, 1.2, 1.6449, 3.3, 6.0, 9.0]
out["normal"] = [{"x": x, "cdf": float(stats.norm.cdf(x)), "sf": float(stats.norm.sf(x))} for x in xs]
es = [-5.0, -1.5, -0.6, -1e-5, 0.0, 1e-8, 0.3, 0.866, 1.2247, 1.23, 2.0, 4.5, 10.0, 26.0]
out["erfc"] = [{"x": x, "erfc": float(special.erfc(x)), "erf": float(special.erf(x))} for x in es]
qs = [1e-300, 1e-20, 1e-9, 1e-4, 0.01, 0.0375, 0.2, 0.5, 0.6, 0.9, 0.995, 1 - 1e-10]
out["normal_quantile"] = [{"p": p, "q": float(stats.norm.ppf(p))} for p in qs]

# Regularized incomplete beta.
abx = [(0.5, 0.5, 0.3), (2, 3, 0.4), (10, 0.5, 0.95), (0.5, 10, 0.01), (50, 50, 0.45),
       (500, 0.5, 0.999), (3.5, 7.25, 0.9999), (1e4, 0.5, 0.9995), (0.1, 0.2, 0.5), (25, 4, 0.2)]
out["beta_inc"] = [{"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))} for a, b, x in abx]
out["ln_gamma"] = [{"x": x, "value": float(special.gammaln(x))}
                   for x in [1e-5, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 9.99, 10.0, 42.5, 1e3, 1e6]]

# Hypothesis tests on fixed samples.
a = [10.1, 9.8, 10.4, 10.0, 9.7, 10.3, 10.2, 9.9, 10.6, 10.05]
b = [10.9, 11.2, 10.7, 11.4, 10.8, 11.0, 11.3, 10.6]
c = [1, 2, 2, 3, 3, 3, 4, 7, 7, 8]
d = [2, 3, 3, 5, 6, 6, 6, 9, 10, 11, 12]
cases = {"a_b": (a, b), "b_a": (b, a), "c_d": (c, d), "a_a_shift": (a, [x + 0.05 for x in a])}
welch, mw = {}, {}
for name, (x, y) in cases.items():
    r = stats.ttest_ind(x, y, equal_var=False)
    welch[name] = {"x": x, "y": y, "t": float(r.statistic), "p": float(r.pvalue), "df": float(r.df)}
    u = stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True, method="asymptotic")
    mw[name] = {"x": x, "y": y, "u": float(u.statistic), "p": float(u.pvalue)}
out["welch"] = welch
out["mann_whitney"] = mw
pooled = []
for m1, s1, n1, m2, s2, n2 in [(10.0, 1.0, 5, 12.0, 1.5, 7), (3.2, 0.0, 1, 4.0, 0.5, 9),
                               (100.0, 3.0, 30, 100.4, 2.5, 30), (5.0, 0.2, 2, 5.1, 0.1, 2)]:
    r = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=True)
    pooled.append({"m1": m1, "s1": s1, "n1": n1, "m2": m2, "s2": s2, "n2": n2,
                   "t": float(r.statistic), "p": float(r.pvalue)})
out["pooled"] = pooled

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "special_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
