#!/usr/bin/env python3
"""A minimal re-implementation of Framework0's recipe orchestrator, the anchor of the
runner bench (benches/store_speed.sh, issue #16).

Framework0's own Python runner is not on this machine. This script does per step what
/work/shared/framework0/COMPAT.md (sections 1-3 and 7) says that runner does, and nothing
more, so the ratio against it is a fair floor for "Framework0's runner on the same recipe":

- reads the recipe with PyYAML's safe loader -- its C version (``CSafeLoader``) when PyYAML
  was built with libyaml; which loader Framework0 picks is not recorded in COMPAT.md, and the
  C one is the faster, so if anything this anchor is quicker than Framework0 -- or with JSON
  for a ``.json`` file;
- applies the acceptance rules (root mapping, ``steps`` list, ``module``/``function``);
- sorts steps stably by ``idx``; names default to ``step_{i}``;
- per step: logs ``Executing step: NAME (MODULE.FUNCTION)``, resolves the module with
  ``importlib.import_module`` and the class with ``getattr``, instantiates it with no
  arguments, calls ``run(context, args)``, times it, judges the exit code (``Legacy
  scriptlet returned exit code: N``; exceptions ``Step execution failed: ...``), logs
  ``Step NAME completed in X.XXXs``, and stops at the first failure;
- keeps a Context with Framework0's ``set(key, value, who)`` semantics (an equal value is a
  no-op; a change appends a history entry) and writes the runner's ``recipe.*`` keys;
- prints ``Recipe execution completed: PATH`` (and with ``--summary`` the summary lines).

It persists nothing, as Framework0's runner does not: f0 measures and stores six metrics and
the context of every step on top of this.

    python3 benches/framework0_runner.py RECIPE.yaml [--summary]

Logs go to stderr at INFO in Framework0's format
(``YYYY-MM-DD HH:MM:SS [   LEVEL] logger: message``); ``F0_LOG=warn`` raises the level as it
does for f0, so both programs can be timed at the same log level.
"""

import importlib
import json
import logging
import os
import sys
import time


class Context:
    """Framework0's flat context: dotted keys, change history."""

    def __init__(self):
        self._data = {}
        self._history = []

    def get(self, key, default=None):
        return self._data.get(key, default)

    def set(self, key, value, who=None):
        before = self._data.get(key)
        if key in self._data and before == value:
            return
        self._data[key] = value
        self._history.append(
            {
                "timestamp": time.time(),
                "key": key,
                "before": before,
                "after": value,
                "who": who,
                "operation": "set",
            }
        )

    def keys(self):
        return list(self._data.keys())

    def to_dict(self):
        return dict(self._data)


def load_recipe(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        doc = json.loads(text)
    else:
        try:
            import yaml
        except ImportError:
            raise SystemExit("PyYAML is not installed: pip install pyyaml (or give a .json recipe)")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        doc = yaml.load(text, Loader=loader)
    if not isinstance(doc, dict):
        raise ValueError(f"Recipe file must contain a YAML dictionary, got {type(doc).__name__}")
    if "steps" not in doc:
        raise ValueError(f"Recipe file missing required 'steps' section: {path}")
    steps = doc["steps"]
    if not isinstance(steps, list):
        raise ValueError(f"Recipe 'steps' must be a list, got {type(steps).__name__}")
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise ValueError(f"Step {i} must be a dictionary, got {type(step).__name__}")
        if "module" not in step or "function" not in step:
            raise ValueError(f"Step {i} missing required 'module' or 'function' field")
    return doc


def run_step(log, context, step):
    name, module, function = step["name"], step["module"], step["function"]
    log.info("Executing step: %s (%s.%s)", name, module, function)
    start = time.time()
    try:
        cls = getattr(importlib.import_module(module), function)
    except ImportError as e:
        cls, error = None, f"Failed to import scriptlet: {e}"
    except AttributeError as e:
        cls, error = None, f"Scriptlet class/method not found: {e}"
    if cls is not None:
        try:
            code = cls().run(context, step.get("args") or {})
            error = None if code == 0 else f"Legacy scriptlet returned exit code: {code}"
        except Exception as e:  # a scriptlet's exception fails its step
            error = f"Step execution failed: {e}"
    duration = time.time() - start
    if error:
        log.error("Step %s failed after %.3fs: %s", name, duration, error)
    else:
        log.info("Step %s completed in %.3fs", name, duration)
    return error


def run(path, summary):
    log = logging.getLogger("framework0.orchestrator")
    doc = load_recipe(path)
    steps = [dict(s, name=s.get("name", f"step_{i}")) for i, s in enumerate(doc["steps"])]
    steps = sorted(enumerate(steps), key=lambda p: (p[1].get("idx", p[0]), p[0]))
    context = Context()
    started = time.time()
    who = "runner"
    context.set("recipe.path", path, who)
    context.set("recipe.start_time", started, who)
    context.set("recipe.runner_version", "2.0", who)
    context.set("recipe.total_steps", len(steps), who)
    for key in ("metadata", "config"):
        if key in doc:
            context.set(f"recipe.{key}", doc[key], who)
    log.info("Starting recipe execution: %s (%d steps)", path, len(steps))
    completed, failed, errors = 0, 0, []
    for _, step in steps:
        error = run_step(log, context, step)
        if error:
            failed += 1
            errors.append(f"{step['name']}: {error}")
            break
        completed += 1
    total = len(steps)
    status = "completed" if failed == 0 else ("partial" if completed else "failed")
    elapsed = time.time() - started
    rate = completed / total * 100 if total else 100.0
    for key, value in (
        ("end_time", time.time()),
        ("execution_time_seconds", elapsed),
        ("status", status),
        ("success", status == "completed"),
        ("completed_steps", completed),
        ("failed_steps", failed),
        ("skipped_steps", 0),
        ("success_rate", rate),
        ("outputs_created", []),
    ):
        context.set(f"recipe.{key}", value, who)
    if errors:
        context.set("recipe.global_errors", errors, who)
    print(f"Recipe execution completed: {path}")
    if summary:
        print(f"  Status: {status}")
        print(f"  Success: {status == 'completed'}")
        print(f"  Duration: {elapsed:.3f}s")
        print(f"  Steps: {completed}/{total}")
        print(f"  Success Rate: {rate:.1f}%")
    return 0 if status == "completed" else 1


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        raise SystemExit(__doc__.split("\n\n")[-2])
    level = logging.WARNING if os.environ.get("F0_LOG", "").lower() == "warn" else logging.INFO
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s [%(levelname)8s] %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    logging.Formatter.converter = time.gmtime
    # The recipe's modules are found beside it and on PYTHONPATH, as Framework0 finds them.
    sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
    try:
        return run(args[0], "--summary" in sys.argv)
    except (OSError, ValueError) as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
