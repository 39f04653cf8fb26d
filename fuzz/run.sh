#!/usr/bin/env bash
# Runs every fuzz target for N minutes each, one after another (the machine is shared):
#   fuzz/run.sh N_MINUTES [TARGET...]
# Seeds: fuzz/seeds/<target>/ plus the shipped recipes (recipes/, ../shared/framework0/recipes/).
# The working corpus is fuzz/corpus/<target>/ and crashes land in fuzz/artifacts/<target>/.
# Prints one summary line per target: executions, corpus size and crashes (target: 0).
# Needs cargo-fuzz (cargo install cargo-fuzz); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# use the nightly sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
minutes="${1:?usage: fuzz/run.sh N_MINUTES [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(recipe metrics_args import)
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); print (s < 1 ? 1 : s) }')
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do cargo fuzz build -O "$t"; done
status=0
for t in "${targets[@]}"; do
  corpus="corpus/$t"
  mkdir -p "$corpus" "artifacts/$t"
  cp -n seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  if [ "$t" != import ]; then
    for f in ../recipes/*.yaml ../recipes/*.json ../../shared/framework0/recipes/*.yaml; do
      if [ -f "$f" ]; then cp -n "$f" "$corpus/shipped_$(basename "$f")" 2>/dev/null || true; fi
    done
  fi
  log="artifacts/$t/last_run.log"
  before=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  set +e
  cargo fuzz run -O "$t" "$corpus" -- -max_total_time="$seconds" -dict=recipe.dict \
    -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  after=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  echo "fuzz $t: ${seconds}s, ${execs:-?} executions, $(ls "$corpus" | wc -l) corpus files, $((after - before)) new crashes (exit $rc; log $log)"
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    grep -m3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" || true
    status=1
  fi
done
exit $status
