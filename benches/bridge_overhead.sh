#!/usr/bin/env bash
# Per-step overhead of a no-op Python step through f0's bridge, against the floor of
# Framework0's own runner: one Python process that imports the same no-op class and
# instantiates it and calls run() N times (importlib.import_module + getattr + instance +
# run, per step, as Framework0's runner does). Same run, same machine, medians of REPS.
#
#   benches/bridge_overhead.sh            # N=1000 steps, REPS=7
#   N=500 REPS=5 benches/bridge_overhead.sh
#
# f0's per-step figure is (wall of a recipe of N no-op Python steps - wall of a 1-step
# recipe) / (N - 1), so interpreter and f0 start-up cancel out; the same for N native no-op
# steps (f0.builtin.Noop), whose per-step cost (measurement, one store commit) every step
# pays. Needs python3 and a release build (built here).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 not found: apt-get install -y python3" >&2; exit 1; }
cargo build --release --quiet --bin f0
exec python3 - "$PWD/target/release/f0" "$PWD/tests/fixtures/bridge" "${N:-1000}" "${REPS:-7}" <<'PY'
import atexit, importlib, os, resource, shutil, statistics, subprocess, sys, tempfile, time

f0, fixtures, n, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tmp = tempfile.mkdtemp(prefix="f0-bridge-bench-")
atexit.register(shutil.rmtree, tmp, True)

def recipe(name, count, module, function):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("steps:\n")
        for i in range(count):
            f.write(f"  - {{name: s{i}, idx: {i}, module: {module}, function: {function}}}\n")
    return path

recipes = {
    "python_n": recipe("py_n.yaml", n, "noop", "Noop"),
    "python_1": recipe("py_1.yaml", 1, "noop", "Noop"),
    "native_n": recipe("native_n.yaml", n, "f0.builtin", "Noop"),
    "native_1": recipe("native_1.yaml", 1, "f0.builtin", "Noop"),
}

def run_f0(path):
    store = os.path.join(tmp, "store.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    env = dict(os.environ, F0_CONTEXT_DB=store, F0_LOG="warn")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([f0, "run", path, "--python", sys.executable, "--pythonpath", fixtures],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu

class Context:
    """Framework0's minimal context: a dict and a change history."""
    def __init__(self):
        self._data, self._history = {}, []
    def get(self, key, default=None):
        return self._data.get(key, default)
    def set(self, key, value, who=None):
        before = self._data.get(key)
        if before != value:
            self._data[key] = value
            self._history.append({"key": key, "before": before, "after": value, "who": who})

def floor():
    sys.path.insert(0, fixtures)
    ctx = Context()
    t = time.perf_counter()
    for _ in range(n):
        cls = getattr(importlib.import_module("noop"), "Noop")
        if cls().run(ctx, {}) != 0:
            raise SystemExit("the no-op failed")
    return (time.perf_counter() - t) / n

walls = {k: [] for k in recipes}
cpus = {k: [] for k in recipes}
floors = []
for _ in range(reps):
    for k, path in recipes.items():
        wall, cpu = run_f0(path)
        walls[k].append(wall)
        cpus[k].append(cpu)
    floors.append(floor())

def per_step(samples, kind):
    med = {k: statistics.median(v) for k, v in samples.items()}
    return (med[kind + "_n"] - med[kind + "_1"]) / (n - 1), med

py_wall, wall_med = per_step(walls, "python")
native_wall, _ = per_step(walls, "native")
py_cpu, _ = per_step(cpus, "python")
native_cpu, _ = per_step(cpus, "native")
fl = statistics.median(floors)
us = lambda s: f"{s * 1e6:8.1f} us"
print(f"steps per recipe: {n}, repetitions: {reps} (medians; CPU = user + sys of f0 and its worker)")
print(f"{'per step':46} {'wall':>11} {'CPU':>11}")
print(f"{'Framework0 floor (one process, import+new+run)':46} {us(fl)} {us(fl)}")
print(f"{'f0, no-op Python step through the bridge':46} {us(py_wall)} {us(py_cpu)}")
print(f"{'f0, no-op native step (f0.builtin.Noop)':46} {us(native_wall)} {us(native_cpu)}")
print(f"{'bridge step over the floor (target <= 1 ms)':46} {us(py_wall - fl)} {us(py_cpu - fl)}")
print(f"{'bridge step over a native step':46} {us(py_wall - native_wall)} {us(py_cpu - native_cpu)}")
print(f"wall of {n} Python steps {wall_med['python_n']:.3f} s, of 1 Python step "
      f"{wall_med['python_1']:.3f} s (interpreter start included)")
PY
