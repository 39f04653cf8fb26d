"""f0's Python bridge worker: hosts unmodified Framework0 scriptlets for one f0 run.

Shipped inside the ``f0`` binary and written to a private directory at run time. f0 starts one
worker per run and sends it one step at a time; modules are imported once, and every step and
attempt gets a fresh instance, driven as Framework0's runner drives it: ``run(context, args)``,
or ``execute(context, params)`` for classes built on Framework0's ``BaseScriptlet``.

Protocol: frames on two pipes whose descriptors f0 passes in ``F0_BRIDGE_FDS`` ("read,write"),
each frame a 4-byte big-endian length and that many bytes of UTF-8 JSON. stdin is /dev/null;
stdout and stderr are f0's own, so a scriptlet prints straight through (flushed after each step).

  f0 -> worker: {"op": "init", "path": [dirs]}                 -> {"op": "ready", "pid", "python"}
  f0 -> worker: {"op": "step", "module", "function", "args", "step", "attempt",
                 "ctx": {"reset": bool, "set": {key: value}}}  -> {"op": "done", ...}
  worker -> f0 while a step runs: {"op": "metrics", "items": [...]}, {"op": "history"}
                 (answered by {"op": "history", "entries": [...]})
  f0 -> worker: {"op": "call", "module", "function", "method", "args": [...]}
                                                               -> {"op": "result", ...}

``call`` serves Python plugins (collectors and analyzers, see f0's ``plugin::python``):
``function`` names a function, called as ``function(*args)``, or a class, instantiated once
(no arguments) and kept, whose ``method`` is called as ``instance.method(*args)``. ``result``
carries ``ok`` with ``value`` (what it returned), or ``ok: false`` with ``message`` and
``traceback``.

``done`` carries ``outcome`` (``ok``, ``code`` with ``code``, ``reported`` or ``exception`` with
``message`` and ``traceback``), ``changes`` ([key, value, who] in the order they were set) and
``metrics`` (PerformanceMetric objects). Floats JSON cannot hold (NaN, +-Infinity) travel as
``{"$numberDouble": "NaN" | "Infinity" | "-Infinity"}`` and come back as the same floats.
"""

import importlib
import importlib.abc
import importlib.util
import json
import math
import os
import struct
import sys
import threading
import time
import traceback
import types

import f0_metrics

_HEADER = struct.Struct(">I")
_TAG = "$numberDouble"
_TAG_BYTES = b'"$numberDouble"'
_NONFINITE = {"NaN", "Infinity", "-Infinity"}


def _tag(value):
    """``value`` with every non-finite float replaced by its tagged form."""
    if isinstance(value, float) and not math.isfinite(value):
        return {_TAG: "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, dict):
        return {k: _tag(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tag(v) for v in value]
    return value


def _untag(obj):
    if len(obj) == 1 and obj.get(_TAG) in _NONFINITE:
        return float(obj[_TAG])
    return obj


def encode(obj):
    """Strict JSON bytes of ``obj`` (non-finite floats tagged; lone surrogates become '?')."""
    try:
        text = json.dumps(obj, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        text = json.dumps(_tag(obj), allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace")


def decode(body):
    """The value of a frame, tagged floats restored."""
    if _TAG_BYTES in body:
        return json.loads(body, object_hook=_untag)
    return json.loads(body)


class Channel:
    """Length-prefixed JSON frames over two pipes; sends are serialised by a lock."""

    def __init__(self, read_fd, write_fd):
        self._r = os.fdopen(read_fd, "rb")
        self._w = os.fdopen(write_fd, "wb")
        self._lock = threading.Lock()

    def recv(self):
        head = self._r.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack(head)
        body = self._r.read(size)
        return decode(body) if len(body) == size else None

    def send(self, obj):
        body = encode(obj)
        with self._lock:
            self._w.write(_HEADER.pack(len(body)))
            self._w.write(body)
            self._w.flush()


def _fresh(value):
    """A private copy of a context value (so the caller cannot change the context behind set)."""
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value))
    return value


class BridgeContext:
    """Framework0's context, as a hosted scriptlet sees it; changes go back to f0 after the step."""

    def __init__(self, data, history):
        self._data = data
        self._history = history
        self.changes = []
        self._local = []

    def get(self, key, default=None):
        """The value of exactly ``key``, or ``default``."""
        if key in self._data:
            return _fresh(self._data[key])
        return default

    def set(self, key, value, who=None):
        """Sets ``key``; the value must pass ``json.dumps``; an equal value is a no-op."""
        if not isinstance(key, str):
            raise TypeError(f"context key must be a string, got {type(key).__name__}")
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as e:
            raise ValueError(f"Value is not JSON-serializable: {value}. Error: {e}") from e
        stored = json.loads(text)
        before = self._data.get(key)
        if before == stored:
            return
        if who is not None and not isinstance(who, str):
            who = str(who)
        self._data[key] = stored
        self.changes.append([key, stored, who])
        self._local.append({"timestamp": time.time(), "key": key, "before": before,
                            "after": stored, "who": who, "operation": "set"})

    def keys(self):
        """Every key."""
        return list(self._data.keys())

    def to_dict(self):
        """A copy of every key and value."""
        return json.loads(json.dumps(self._data))

    def get_history(self):
        """This run's changes so far, oldest first (f0's, then this step's)."""
        return self._history() + [dict(h) for h in self._local]

    def record_metric(self, name, value, unit="count", tags=None, metric_type="gauge"):
        """Records one sample into the run's store."""
        return f0_metrics.record_metric(name, value, metric_type=metric_type, unit=unit, tags=tags)

    def __contains__(self, key):
        return key in self._data

    def __repr__(self):
        return f"BridgeContext(keys={len(self._data)}, changes={len(self.changes)})"


class _MetricsFallback(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: serves ``scriptlets.foundation.metrics`` (and its parent
    packages, empty) only when Framework0's own package is not found first."""

    NAMES = ("scriptlets", "scriptlets.foundation", "scriptlets.foundation.metrics")

    def find_spec(self, name, path=None, target=None):
        if name not in self.NAMES:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=name != self.NAMES[-1])

    def create_module(self, spec):
        if spec.name == self.NAMES[-1]:
            return f0_metrics
        module = types.ModuleType(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def _is_base_scriptlet(cls):
    return isinstance(cls, type) and any(
        "BaseScriptlet" in getattr(base, "__name__", "") for base in cls.__mro__)


def _field(result, name, default=None):
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def _code_outcome(code):
    """Framework0's judgement of ``run``'s return value: success when it equals 0."""
    if code == 0:
        return {"outcome": "ok"}
    if isinstance(code, int) and not isinstance(code, bool) and -2**31 <= code < 2**31:
        return {"outcome": "code", "code": code}
    return {"outcome": "reported", "message": f"Legacy scriptlet returned exit code: {code}"}


def _result_outcome(result):
    """Framework0's judgement of a ``BaseScriptlet`` result object."""
    code = _field(result, "exit_code", 0)
    if _field(result, "success", False) and code == 0:
        return {"outcome": "ok"}
    errors = [_field(result, "error_details")] + list(_field(result, "validation_errors") or [])
    text = "; ".join(str(e) for e in errors if e)
    message = text or _field(result, "message") or f"Scriptlet reported failure (exit code {code})"
    return {"outcome": "reported", "message": str(message)}


def execute(module_name, class_name, ctx, args):
    """Runs one step as Framework0's runner does, with its messages for each failure."""
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
        scriptlet = cls()
        if _is_base_scriptlet(cls):
            return _result_outcome(scriptlet.execute(ctx, args))
        return _code_outcome(scriptlet.run(ctx, args))
    except ImportError as e:
        return _failure("reported", f"Failed to import scriptlet: {e}")
    except AttributeError as e:
        return _failure("reported", f"Scriptlet class/method not found: {e}")
    except SystemExit as e:
        outcome = _code_outcome(e.code if e.code is not None else 0)
        outcome["traceback"] = traceback.format_exc()
        return outcome
    except BaseException as e:  # the step fails; the worker lives on
        return _failure("exception", str(e) or type(e).__name__)


def _failure(kind, message):
    return {"outcome": kind, "message": message, "traceback": traceback.format_exc()}


class Worker:
    """The worker's state across steps: the channel and its mirror of f0's context."""

    def __init__(self, channel):
        self.channel = channel
        self.mirror = {}
        self.instances = {}

    def call(self, msg):
        """One plugin call; its result, or why it failed."""
        module_name, name = msg["module"], msg["function"]
        try:
            target = getattr(importlib.import_module(module_name), name)
            if isinstance(target, type):
                key = (module_name, name)
                if key not in self.instances:
                    self.instances[key] = target()
                target = getattr(self.instances[key], msg["method"])
            value = target(*msg.get("args", []))
            reply = {"ok": True, "value": value}
            encode(reply)
        except BaseException as e:  # reported to f0; the worker lives on
            reply = _failure("exception", f"{type(e).__name__}: {e}")
            reply["ok"] = False
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        reply["op"] = "result"
        self.channel.send(reply)

    def history(self):
        self.channel.send({"op": "history"})
        reply = self.channel.recv()
        if reply is None:
            os._exit(0)
        return reply.get("entries", [])

    def step(self, msg):
        delta = msg.get("ctx", {})
        if delta.get("reset"):
            self.mirror = {}
        self.mirror.update(delta.get("set", {}))
        ctx = BridgeContext(self.mirror, self.history)
        outcome = execute(msg["module"], msg["function"], ctx, msg.get("args") or {})
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        outcome["op"] = "done"
        outcome["changes"] = ctx.changes
        outcome["metrics"] = f0_metrics.drain()
        self.channel.send(outcome)


def _watch_parent(parent):
    """Ends the worker when f0 is gone (it was killed without closing the pipes)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(70)


def _setup_path(dirs):
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if p not in dirs and os.path.abspath(p or ".") != here]
    sys.path[:] = list(dirs) + rest + [here]
    sys.meta_path.append(_MetricsFallback())


def main():
    read_fd, write_fd = (int(fd) for fd in os.environ.pop("F0_BRIDGE_FDS").split(","))
    parent = int(os.environ.pop("F0_BRIDGE_PARENT", os.getppid()))
    for fd in (read_fd, write_fd):
        os.set_inheritable(fd, False)
    channel = Channel(read_fd, write_fd)
    init = channel.recv()
    if init is None:
        return
    _setup_path(init.get("path", []))
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    f0_metrics._sink = lambda batch: channel.send({"op": "metrics", "items": batch})
    channel.send({"op": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    worker = Worker(channel)
    while True:
        msg = channel.recv()
        if msg is None:
            return
        if msg.get("op") == "step":
            worker.step(msg)
        elif msg.get("op") == "call":
            worker.call(msg)


if __name__ == "__main__":
    main()
