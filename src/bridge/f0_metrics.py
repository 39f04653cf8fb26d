"""The metrics API of Framework0's ``scriptlets.foundation.metrics`` for scriptlets hosted by f0.

Shipped inside the ``f0`` binary and written out next to the bridge's worker. Scriptlets reach it
as ``scriptlets.foundation.metrics`` when Framework0's own package is not importable (or directly
as ``f0_metrics``). What they record is buffered in the worker and written by f0 into the run's
store, beside every other metric of the run, so ``f0 analyze`` finds it:

- ``performance_timer(metric_name=None, tags=None)``: decorator timing each call of a function
  (``timing``/``ns``, name ``module.function`` unless given, tag ``function``); a call that raises
  records ``<name>_error`` with tag ``status: error`` and context ``{error, error_type}``.
  Usable bare (``@performance_timer``) or called (``@performance_timer("name")``); coroutine
  functions are timed to completion.
- ``performance_tracker(metric_name, tags=None)``: context manager timing a block; the object it
  yields has ``add_metadata(key, value)`` and ``add_tag(key, value)`` (and is the seed's dict
  ``{"additional_tags": {}, "metadata": {}}``). It records ``<name>`` (wall ns, context
  ``{"execution_metadata": ...}``) and ``<name>_cpu_time`` (the thread's CPU ns), or
  ``<name>_error`` when the block raises.
- ``record_metric(name, value, metric_type="gauge", unit="count", tags=None)``: one custom
  sample (the seed's signature; ``MetricType``/``MetricUnit`` members or their strings).

Values must be finite numbers; tag keys and values are strings (other values are converted with
``str``). Names, tag keys and tag values longer than 1 KiB (``MAX_IDENTITY_BYTES`` of UTF-8) are
refused where they are recorded, as f0's store would refuse them. Outside f0 the records stay in the buffer; ``drain()`` returns and clears it.
"""

import enum
import functools
import inspect
import json
import math
import threading
import time

__all__ = [
    "MetricType",
    "MetricUnit",
    "performance_timer",
    "performance_tracker",
    "record_metric",
    "drain",
]


class MetricType(str, enum.Enum):
    """Framework0's metric types."""

    TIMING = "timing"
    THROUGHPUT = "throughput"
    RESOURCE = "resource"
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


class MetricUnit(str, enum.Enum):
    """Framework0's metric units."""

    NANOSECONDS = "ns"
    MICROSECONDS = "\u03bcs"
    MILLISECONDS = "ms"
    SECONDS = "s"
    BYTES = "bytes"
    KILOBYTES = "KB"
    MEGABYTES = "MB"
    PERCENT = "%"
    COUNT = "count"
    OPS_PER_SECOND = "ops/s"


_TYPES = frozenset(t.value for t in MetricType)
_UNITS = frozenset(u.value for u in MetricUnit)

# Records waiting for f0; the bridge installs ``_sink`` and drains the rest after each step.
_buffer = []
_lock = threading.Lock()
_sink = None
FLUSH_AT = 2048
# f0's limit on a metric name, tag key or tag value (`MAX_IDENTITY_BYTES` in src/metrics/types.rs).
MAX_IDENTITY_BYTES = 1024


def _within_limit(text, what):
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_IDENTITY_BYTES:
        raise ValueError(
            f"metric {what} of {size} bytes is longer than the {MAX_IDENTITY_BYTES}-byte limit: "
            f"{text[:60]}\u2026"
        )
    return text


def _name(name):
    if not isinstance(name, str) or not name:
        raise ValueError(f"metric name must be a non-empty string, got {name!r}")
    return _within_limit(name, "name")


def _word(value, allowed, what):
    text = value.value if isinstance(value, enum.Enum) else value
    if text not in allowed:
        raise ValueError(
            f"unknown metric {what} {value!r}; expected one of {', '.join(sorted(allowed))}"
        )
    return text


def _tags(tags):
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise TypeError(f"metric tags must be a dict of strings, got {type(tags).__name__}")
    return {
        _within_limit(str(k), "tag key"): _within_limit(str(v), "tag value")
        for k, v in tags.items()
    }


def _record(name, value, metric_type, unit, tags, source, context=None):
    _name(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"metric {name!r} value must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"metric {name!r} has non-finite value {value}; a finite number is required")
    item = {
        "name": name,
        "value": value,
        "metric_type": _word(metric_type, _TYPES, "type"),
        "unit": _word(unit, _UNITS, "unit"),
        "timestamp": time.time_ns(),
        "tags": tags,
        "source": source,
        "context": context or {},
    }
    with _lock:
        _buffer.append(item)
        full = len(_buffer) >= FLUSH_AT and _sink is not None
    if full:
        flush()
    return item


def flush():
    """Hands the buffered records to the bridge now (it also does so after every step)."""
    batch = drain()
    if batch and _sink is not None:
        _sink(batch)


def drain():
    """Returns the buffered records and clears the buffer."""
    global _buffer
    with _lock:
        batch, _buffer = _buffer, []
    return batch


def record_metric(name, value, metric_type="gauge", unit="count", tags=None):
    """Records one custom sample (Framework0's ``record_metric``)."""
    return _record(name, value, metric_type, unit, _tags(tags), "custom_collector")


def _error_context(exc):
    return {"error": str(exc), "error_type": type(exc).__name__}


def performance_timer(metric_name=None, tags=None):
    """Decorator timing every call (see the module docs)."""
    if callable(metric_name) and tags is None:
        return performance_timer()(metric_name)
    base_tags = _tags(tags)

    def decorator(func):
        name = _name(metric_name or f"{func.__module__}.{func.__name__}")
        call_tags = {**base_tags, "function": func.__name__}

        def done(start, exc=None):
            elapsed = time.perf_counter_ns() - start
            if exc is None:
                _record(name, elapsed, "timing", "ns", call_tags, "application_collector")
            else:
                _record(f"{name}_error", elapsed, "timing", "ns",
                        {**call_tags, "status": "error"}, "application_collector",
                        _error_context(exc))

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args, **kwargs):
                start = time.perf_counter_ns()
                try:
                    result = await func(*args, **kwargs)
                except Exception as exc:
                    done(start, exc)
                    raise
                done(start)
                return result
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            start = time.perf_counter_ns()
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                done(start, exc)
                raise
            done(start)
            return result
        return wrapper

    return decorator


class _Tracked(dict):
    """What ``performance_tracker`` yields: the seed's dict, with helper methods."""

    def __init__(self):
        super().__init__(additional_tags={}, metadata={})

    def add_metadata(self, key, value):
        """Attaches ``key: value`` to the recorded sample's context."""
        self["metadata"][str(key)] = value

    def add_tag(self, key, value):
        """Adds a tag to the recorded samples."""
        self["additional_tags"][str(key)] = str(value)


class performance_tracker:
    """Context manager timing a block (see the module docs)."""

    def __init__(self, metric_name, tags=None):
        self._name = _name(metric_name)
        self._tags = _tags(tags)
        self._tracked = _Tracked()

    def __enter__(self):
        self._start = time.perf_counter_ns()
        self._cpu_start = time.thread_time_ns()
        return self._tracked

    def __exit__(self, exc_type, exc, tb):
        elapsed = time.perf_counter_ns() - self._start
        cpu = time.thread_time_ns() - self._cpu_start
        tags = {**self._tags, **_tags(self._tracked["additional_tags"])}
        # Metadata lands in the sample's JSON context: anything json cannot hold becomes its str.
        metadata = json.loads(json.dumps(self._tracked["metadata"], default=str))
        if exc is None:
            context = {"execution_metadata": metadata} if metadata else {}
            _record(self._name, elapsed, "timing", "ns", tags, "application_collector", context)
            _record(f"{self._name}_cpu_time", cpu, "timing", "ns", tags,
                    "application_collector", context)
        elif isinstance(exc, Exception):
            _record(f"{self._name}_error", elapsed, "timing", "ns",
                    {**tags, "status": "error"}, "application_collector", _error_context(exc))
        return False
