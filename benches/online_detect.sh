#!/usr/bin/env bash
# Throughput and memory of `f0 detect` on long streams: 100,000 and 1,000,000 NAB-style lines
# (a daily cycle with noise), each detector and the default set, timed by /usr/bin/time
# (wall seconds, points/s, maximum resident set). Bounded state shows as the same RSS for
# 100k and 1M points.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin f0
f0=target/release/f0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import math, random, sys, time
random.seed(1)
for n in (100_000, 1_000_000):
    with open(f"{sys.argv[1]}/s{n}.csv", "w") as f:
        f.write("timestamp,value\n")
        t0 = 1396310400
        for i in range(n):
            v = 50 + 20 * math.sin(2 * math.pi * (i % 288) / 288) + random.gauss(0, 2)
            ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + 300 * i))
            f.write(f"{ts},{v:.3f}\n")
PY
printf '| detectors | points | seconds | points/s | max RSS (MiB) | events |\n|---|---|---|---|---|---|\n'
for d in zscore mad ewma seasonal knn default; do
  for n in 100000 1000000; do
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$f0" detect "$tmp/s$n.csv" --json --detectors "$d" \
      >"$tmp/out" 2>/dev/null
    read -r secs kib <"$tmp/time"
    events=$(wc -l <"$tmp/out")
    awk -v d="$d" -v n="$n" -v s="$secs" -v k="$kib" -v e="$events" \
      'BEGIN { printf "| %s | %d | %.2f | %.0f | %.1f | %d |\n", d, n, s, n / (s > 0 ? s : 0.01), k / 1024, e }'
  done
done
