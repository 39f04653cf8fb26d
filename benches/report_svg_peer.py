#!/usr/bin/env python3
"""The hand-written-SVG peer of the report dashboard's charts (why uPlot was chosen).

Writes the same 100 charts x 900 points that `cargo bench --bench report` draws with uPlot, as
inline SVG two ways, opens each in headless Chromium and prints its size and the time until the
page has parsed (performance.now() at the end of <body>):
  - svg_hover.html: a polyline plus one <circle><title> per point, the least SVG needs to show
    exact values on hover (still no zoom, no toggles);
  - svg_plain.html: polylines only (no values on hover).
Compare with the `100x10k: chromium drew ... charts in N ms` line and the HTML size printed by
`cargo bench --bench report`.

Run: python3 benches/report_svg_peer.py   (needs chromium: apt-get install -y chromium)
"""
import math
import os
import random
import re
import shutil
import subprocess
import tempfile

N_SERIES, N_POINTS, W, H = 100, 900, 600, 240
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", "--virtual-time-budget=30000", "--dump-dom"]


def page(hover: bool) -> str:
    random.seed(1)
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>']
    for _ in range(N_SERIES):
        ys = [10 + math.sin(i / 50) + 0.5 * random.gauss(0, 1) for i in range(N_POINTS)]
        lo, hi = min(ys), max(ys)
        xy = [(i * W / (N_POINTS - 1), H - (y - lo) / (hi - lo) * H) for i, y in enumerate(ys)]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        dots = "".join(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="transparent"><title>{v!r}</title></circle>'
            for (x, y), v in zip(xy, ys)) if hover else ""
        parts.append(f'<svg width="{W}" height="{H}"><polyline fill="none" stroke="#0969da" '
                     f'points="{pts}"/>{dots}</svg>')
    parts.append('<script>document.documentElement.setAttribute("data-done", '
                 'String(Math.round(performance.now())));</script></body></html>')
    return "".join(parts)


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium not found: apt-get install -y chromium")
        return
    with tempfile.TemporaryDirectory() as d:
        for name, hover in [("svg_hover", True), ("svg_plain", False)]:
            path = os.path.join(d, name + ".html")
            with open(path, "w") as f:
                f.write(page(hover))
            times = []
            for _ in range(3):
                profile = tempfile.mkdtemp(dir=d)
                dom = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "file://" + path],
                                     capture_output=True, text=True, timeout=120).stdout
                m = re.search(r'data-done="(\d+)"', dom)
                times.append(int(m.group(1)) if m else -1)
            print(f"{name}: {os.path.getsize(path) / 1e6:.2f} MB, parsed in {sorted(times)} ms")


if __name__ == "__main__":
    main()
