#!/usr/bin/env python3
"""Generates trend_golden.json for tests/trend.rs from independent implementations:

* Holt / ETS(A,A,N) with fixed smoothing parameters: statsmodels' ETSModel with a "known"
  initial state equivalent to ours (l = y0 - (y1 - y0), b = y1 - y0 before the first point), its
  SSE, point forecasts and the ratios of its analytic prediction-interval half-widths (the
  variance formula; statsmodels scales by SSE/n, we by SSE/(m-k), so only ratios are compared).
* The OLS line and its 95 % prediction interval: scipy.stats.linregress + scipy.stats.t.ppf.

Run from the repository root with numpy, scipy, pandas and statsmodels installed:
    python3 tests/trend_fixtures/gen_trend_golden.py
"""
import json
import os

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

out = {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "holt": [], "ols": []}

series = [10.0, 12.1, 13.9, 16.2, 17.8, 20.5, 21.9, 24.4, 26.1, 27.7, 30.2, 31.8]
for alpha, beta_star in [(0.6, 0.3), (0.2, 0.05), (0.9, 0.7)]:
    y = pd.Series(series)
    l0, b0 = y[0] - (y[1] - y[0]), y[1] - y[0]
    model = ETSModel(y, error="add", trend="add", initialization_method="known",
                     initial_level=l0, initial_trend=b0)
    res = model.smooth([alpha, alpha * beta_star])
    frame = res.get_prediction(start=len(y), end=len(y) + 5).summary_frame(alpha=0.05)
    half = (frame["pi_upper"] - frame["mean"]).to_numpy()
    out["holt"].append({"series": series, "alpha": alpha, "beta": beta_star,
                        "sse": float((res.resid ** 2).sum()),
                        "forecast": [float(v) for v in frame["mean"]],
                        "half_width_ratio": [float(v / half[0]) for v in half]})

xs = [0.0, 1.0, 2.5, 4.0, 7.0, 9.0, 11.5]
ys = [3.1, 4.0, 5.2, 6.1, 9.3, 10.2, 12.9]
r = stats.linregress(xs, ys)
n = len(xs)
resid = np.array(ys) - (r.intercept + r.slope * np.array(xs))
se = np.sqrt((resid ** 2).sum() / (n - 2))
sxx = ((np.array(xs) - np.mean(xs)) ** 2).sum()
for x0 in [5.0, 20.0]:
    half = stats.t.ppf(0.975, n - 2) * se * np.sqrt(1 + 1 / n + (x0 - np.mean(xs)) ** 2 / sxx)
    value = r.intercept + r.slope * x0
    out["ols"].append({"x": xs, "y": ys, "x0": x0, "slope": r.slope, "intercept": r.intercept,
                       "r_squared": r.rvalue ** 2, "value": value,
                       "lower": value - half, "upper": value + half})

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "trend_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
