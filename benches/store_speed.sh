#!/usr/bin/env bash
# The store and the runner against their anchors, in one run on one machine (issue #16):
#
#  1. import: `f0 import` of an N-line `timestamp,value` CSV against the sqlite3 shell's
#     `.import` of the same file into a WAL database (a plain two-column table: the floor of
#     SQLite's own loader). RUNS pairs of runs (f0 then the shell, one hyperfine call per
#     pair), medians, rows/s, the median of the pairs' ratios, and f0's peak RSS
#     (GNU time's %M: wait4 of a small parent, so nothing of a big parent is folded in).
#  2. runner: the whole process of `f0 run` on a recipe of STEPS no-op steps (store on)
#     against two anchors, in the same hyperfine run: (a) benches/framework0_runner.py, a
#     minimal re-implementation of Framework0's orchestrator (PyYAML load, importlib per
#     step, instantiate, run(context, args), timing, context keys, step log lines; it
#     persists nothing, as Framework0 does not) on the same recipe with a Python no-op
#     scriptlet, and (b) the bare floor: a Python loop that imports a no-op scriptlet class
#     and calls run() STEPS times. Both programs log at the same level (LOG=warn by default,
#     LOG=info for Framework0's default). Per-step cost is
#     (wall of STEPS steps - wall of 1 step) / (STEPS - 1), so process start cancels out;
#     system calls per step come from `strace -c -f` the same way. The store is new for every
#     run; a second line times the same recipe on the store its first run left (its step
#     series already stored), as when a recipe runs again.
#  3. with CALLGRIND=1, instruction counts of both runner commands and of both imports of the
#     file's first 200,000 lines (valgrind), ratios that do not move with the machine's load.
#
#   benches/store_speed.sh                       # N=1000000 rows, STEPS=1000, RUNS=10
#   N=200000 STEPS=500 RUNS=5 benches/store_speed.sh
#   F0=target/release/f0 CALLGRIND=1 benches/store_speed.sh
#   ONLY=runner F0=target/release/f0 CALLGRIND=1 STEPS=1000 RUNS=10 benches/store_speed.sh
#   ONLY=import benches/store_speed.sh           # one section only
#
# Needs hyperfine, sqlite3, python3, GNU time (apt-get install -y hyperfine sqlite3 python3
# time), optionally strace and valgrind; builds f0 in release.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine sqlite3 python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || {
        echo "$tool not found: apt-get install -y hyperfine sqlite3 python3 time" >&2
        exit 1
    }
done
N=${N:-1000000}
STEPS=${STEPS:-1000}
RUNS=${RUNS:-10}
ONLY=${ONLY:-all} # all | import | runner
LOG=${LOG:-warn}  # the log level of both f0 and the Framework0 anchor (warn | info)
case "$ONLY" in all | import | runner) ;; *)
    echo "ONLY must be all, import or runner, not '$ONLY'" >&2
    exit 1
    ;;
esac
ANCHOR="$PWD/benches/framework0_runner.py"
if [ -z "${F0:-}" ]; then # F0=/path/to/f0 measures that binary instead of building one
    cargo build --release --quiet --bin f0
    F0="$PWD/target/release/f0"
fi
FIXTURES="$PWD/tests/fixtures/bridge"
# The interpreter itself, past launcher shims (pyenv's is a shell script that would be timed).
PY=$(python3 -c 'import sys; print(sys.executable)')
TMP=$(mktemp -d /tmp/f0-store-speed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

[ "$ONLY" = runner ] && N=1 # the import section is skipped: a one-line file
python3 - "$N" <<'PY'
import random, sys
n = int(sys.argv[1])
random.seed(16)
t0 = 1767225600
with open("data.csv", "w") as f:
    f.write("timestamp,value\n")
    for i in range(n):
        f.write(f"{t0 + i},{random.uniform(0, 1000):.6f}\n")
PY
{
    echo "steps:"
    for i in $(seq 1 "$STEPS"); do
        echo "  - {name: s$i, idx: $i, module: f0.builtin, function: Noop}"
    done
} >steps_n.yaml
printf 'steps:\n  - {name: s1, idx: 1, module: f0.builtin, function: Noop}\n' >steps_1.yaml
# The same recipes for the Framework0 anchor, naming the Python no-op scriptlet.
for f in steps_n steps_1; do
    sed 's/module: f0.builtin, function: Noop/module: noop, function: Noop/' $f.yaml >py_$f.yaml
done
cat >floor.py <<PY
import importlib, sys
sys.path.insert(0, "$FIXTURES")
ctx = {}
for _ in range(int(sys.argv[1])):
    cls = getattr(importlib.import_module("noop"), "Noop")
    if cls().run(ctx, {}) != 0:
        raise SystemExit("the no-op failed")
PY
export F0_LOG="$LOG" F0_CONTEXT_DB="$TMP/store.db" PYTHONPATH="$FIXTURES"
CLEAN="rm -f $TMP/store.db $TMP/store.db-wal $TMP/store.db-shm $TMP/anchor.db $TMP/anchor.db-wal $TMP/anchor.db-shm"
SQLITE_IMPORT="sqlite3 $TMP/anchor.db 'PRAGMA journal_mode=WAL;' 'CREATE TABLE samples(timestamp INTEGER, value REAL);' '.import --csv --skip 1 $TMP/data.csv samples'"

if [ "$ONLY" != runner ]; then
    # RUNS pairs (f0, then the shell), one hyperfine call per pair: a load that drifts during
    # the bench moves both runs of a pair alike, where one block of runs per command left the
    # ratio to the drift (1.09x-1.65x for one binary). The first pair runs after a warm-up.
    for i in $(seq 1 "$RUNS"); do
        hyperfine --style basic --warmup "$([ "$i" = 1 ] && echo 1 || echo 0)" --runs 1 \
            --prepare "$CLEAN" --export-json "import_$i.json" \
            -n "f0 import" "$F0 import $TMP/data.csv --name m" \
            -n "sqlite3 .import" "$SQLITE_IMPORT" >/dev/null
    done
    eval "$CLEAN"
    /usr/bin/time -f %M -o rss.txt "$F0" import "$TMP/data.csv" --name m >/dev/null
    eval "$CLEAN"
    if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
        # Instruction counts of both imports of the file's first 200,000 lines.
        head -200001 data.csv >data200k.csv
        import_ir() {
            eval "$CLEAN"
            valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$@" >/dev/null 2>"$TMP/cg.err" || true
            awk '/Collected :/ {print $4}' "$TMP/cg.err"
        }
        IR_IMPORT="$(import_ir "$F0" import "$TMP/data200k.csv" --name m) $(import_ir sqlite3 \
            "$TMP/anchor.db" 'PRAGMA journal_mode=WAL;' \
            'CREATE TABLE samples(timestamp INTEGER, value REAL);' \
            ".import --csv --skip 1 $TMP/data200k.csv samples")"
        export IR_IMPORT
    fi
fi

SYS_N=""
SYS_1=""
IR_F0=""
IR_F0_E=""
IR_F0_1=""
IR_PY=""
IR_ANCHOR=""
if [ "$ONLY" != import ]; then
    "$PY" -c 'import yaml' 2>/dev/null || {
        echo "PyYAML not found for $PY (pip install pyyaml): the Framework0 anchor cannot read recipes" >&2
        exit 1
    }
    hyperfine --style basic --warmup 1 --runs "$RUNS" --prepare "$CLEAN" --export-json runner.json \
        -n "f0 run $STEPS steps" "$F0 run $TMP/steps_n.yaml" \
        -n "f0 run 1 step" "$F0 run $TMP/steps_1.yaml" \
        -n "framework0 anchor $STEPS" "$PY $ANCHOR $TMP/py_steps_n.yaml" \
        -n "framework0 anchor 1" "$PY $ANCHOR $TMP/py_steps_1.yaml" \
        -n "python floor $STEPS" "$PY $TMP/floor.py $STEPS" \
        -n "python floor 1" "$PY $TMP/floor.py 1" >/dev/null

    # The same recipe on a store its earlier run left (the usual case: a recipe run again,
    # its step series already stored), reset to that store before every run.
    eval "$CLEAN"
    "$F0" run "$TMP/steps_n.yaml" >/dev/null
    cp "$TMP/store.db" "$TMP/seeded.db"
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json existing.json \
        --prepare "$CLEAN; cp $TMP/seeded.db $TMP/store.db" \
        -n "f0 run $STEPS steps, existing store" "$F0 run $TMP/steps_n.yaml" >/dev/null

    syscalls() { # total system calls of a command (strace -c -f summary line)
        eval "$CLEAN"
        strace -f -c -o "$TMP/strace.txt" "$@" >/dev/null 2>&1 || true
        awk '/^100.00/ {print $4}' "$TMP/strace.txt"
    }
    if command -v strace >/dev/null; then
        SYS_N=$(syscalls "$F0" run "$TMP/steps_n.yaml")
        SYS_1=$(syscalls "$F0" run "$TMP/steps_1.yaml")
    else
        echo "strace not found (apt-get install -y strace): system calls per step not counted"
    fi
    if [ "${CALLGRIND:-0}" = 1 ]; then
        if command -v valgrind >/dev/null; then
            ir() {
                eval "$CLEAN"
                valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$@" >/dev/null 2>"$TMP/cg.err" || true
                awk '/Collected :/ {print $4}' "$TMP/cg.err"
            }
            IR_F0=$(ir "$F0" run "$TMP/steps_n.yaml")
            # The same on the store the recipe's first run left.
            IR_F0_E=$(
                eval "$CLEAN"
                cp "$TMP/seeded.db" "$TMP/store.db"
                valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$F0" run \
                    "$TMP/steps_n.yaml" >/dev/null 2>"$TMP/cg.err" || true
                awk '/Collected :/ {print $4}' "$TMP/cg.err"
            )
            IR_F0_1=$(ir "$F0" run "$TMP/steps_1.yaml")
            IR_PY=$(ir "$PY" "$TMP/floor.py" "$STEPS")
            IR_ANCHOR=$(ir "$PY" "$ANCHOR" "$TMP/py_steps_n.yaml")
        else
            echo "valgrind not found (apt-get install -y valgrind): instruction counts skipped"
        fi
    fi
fi

python3 - "$ONLY" "$N" "$STEPS" "$(cat rss.txt 2>/dev/null || echo 0)" "$SYS_N" "$SYS_1" \
    "$IR_F0" "$IR_F0_1" "$IR_PY" "$IR_ANCHOR" "$LOG" "$IR_F0_E" <<'PY'
import json, sys
only, n, steps, rss_kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sys_n, sys_1, ir_f0, ir_f0_1, ir_py, ir_anchor, log, ir_f0_e = sys.argv[5:13]
import glob, statistics
med, cpu = {}, {}
for f in {"all": ("runner.json", "existing.json"), "import": (),
          "runner": ("runner.json", "existing.json")}[only]:
    for r in json.load(open(f))["results"]:
        med[r["command"]] = r["median"]
        cpu[r["command"]] = r["user"] + r["system"]  # means: hyperfine keeps no CPU median
if only != "runner":
    pairs = []  # (f0, sqlite3) wall times of each pair
    for f in sorted(glob.glob("import_*.json")):
        t = {r["command"]: r["times"][0] for r in json.load(open(f))["results"]}
        pairs.append((t["f0 import"], t["sqlite3 .import"]))
    fi = statistics.median(p[0] for p in pairs)
    sq = statistics.median(p[1] for p in pairs)
    ratios = sorted(b / a for a, b in pairs)
    print(f"import of {n} CSV rows (medians of {len(pairs)} paired runs)")
    print(f"  f0 import        {fi * 1e3:9.1f} ms  {n / fi:>12,.0f} rows/s  peak RSS {rss_kib / 1024:.1f} MiB")
    print(f"  sqlite3 .import  {sq * 1e3:9.1f} ms  {n / sq:>12,.0f} rows/s")
    print(f"  f0 / sqlite3 speed ratio: {statistics.median(ratios):.2f}x, median of the pairs' "
          f"ratios ({ratios[0]:.2f}x-{ratios[-1]:.2f}x; target >= 1.5x)")
    import os
    irs = os.environ.get("IR_IMPORT", "").split()
    if len(irs) == 2:
        a, b = (int(x.replace(",", "")) for x in irs)
        print(f"  instructions, first 200,000 lines: f0 {a:,}, sqlite3 {b:,}, ratio {b / a:.2f}x")
if only == "import":
    sys.exit(0)
run_n, run_1 = med[f"f0 run {steps} steps"], med["f0 run 1 step"]
an_n, an_1 = med[f"framework0 anchor {steps}"], med["framework0 anchor 1"]
py_n, py_1 = med[f"python floor {steps}"], med["python floor 1"]
per = lambda a, b: (a - b) / (steps - 1) * 1e6
print(f"runner, {steps} no-op steps, store on, log level {log} (medians)")
print(f"  f0 run             {run_n * 1e3:9.1f} ms whole process, "
      f"{per(run_n, run_1):.1f} us per step (target <= 100, goal 50)")
print(f"  framework0 anchor  {an_n * 1e3:9.1f} ms whole process, {per(an_n, an_1):.1f} us per step")
print(f"  python floor       {py_n * 1e3:9.1f} ms whole process, {per(py_n, py_1):.1f} us per step")
run_e = med[f"f0 run {steps} steps, existing store"]
print(f"  f0 run, existing   {run_e * 1e3:9.1f} ms whole process (the recipe's second run: its "
      f"step series stored)")
print(f"  framework0 anchor / f0 whole-process ratio: {an_n / run_n:.2f}x, existing store "
      f"{an_n / run_e:.2f}x (target >= 5x)")
print(f"  python floor / f0 whole-process ratio:      {py_n / run_n:.2f}x")
# CPU time (user + sys) moves far less with a loaded machine's scheduling than wall time.
c = lambda k: cpu[k] * 1e3
cn, c1 = f"f0 run {steps} steps", "f0 run 1 step"
an, a1 = f"framework0 anchor {steps}", "framework0 anchor 1"
print(f"  CPU (user+sys, means): f0 {c(cn):.1f} ms, {(c(cn) - c(c1)) / (steps - 1) * 1e3:.1f} us per step; "
      f"framework0 anchor {c(an):.1f} ms, {(c(an) - c(a1)) / (steps - 1) * 1e3:.1f} us per step; "
      f"ratio {c(an) / c(cn):.2f}x")
if sys_n and sys_1:
    print(f"  system calls per f0 step: {(int(sys_n) - int(sys_1)) / (steps - 1):.1f} "
          f"({sys_n} for {steps} steps, {sys_1} for 1)")
if ir_f0 and ir_py:
    num = lambda s: int(s.replace(",", ""))
    a, b = num(ir_f0), num(ir_py)
    if ir_f0_1:
        print(f"  instructions per f0 step: {(a - num(ir_f0_1)) / (steps - 1):,.0f} "
              f"({a:,} for {steps} steps, {num(ir_f0_1):,} for 1)")
    print(f"  instructions: f0 {a:,}, python floor {b:,} (ratio {b / a:.2f}x)"
          + (f", framework0 anchor {num(ir_anchor):,} (ratio {num(ir_anchor) / a:.2f}x)"
             if ir_anchor else ""))
    if ir_f0_e and ir_anchor:
        e = num(ir_f0_e)
        print(f"  instructions on the first run's store: f0 {e:,} (anchor ratio "
              f"{num(ir_anchor) / e:.2f}x)")
PY
