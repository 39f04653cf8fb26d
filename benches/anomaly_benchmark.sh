#!/usr/bin/env bash
# The online anomaly benchmark: every online detector and the default set over the generated
# corpus (seed 1, on which the defaults were chosen, and seed 2, held out), scored with the NAB
# windowed rule (standard / low-FP / low-FN, threshold optimized per profile, null = 0,
# perfect = 100), plus the standard score and the noise-only alarms at the default threshold.
# Extra arguments go to the example (e.g. --detail, --sets "knn;seasonal,zscore").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example anomaly_benchmark -- --seed 1 --seed 2 "$@"
