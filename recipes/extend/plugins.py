"""Python plugins for recipes/extend_python.yaml (README, "Extending f0").

``open_files`` is a collector: f0 calls it on every sample with the step's ``settings`` and
stores the metrics it returns. ``MeanBelow`` is an analyzer: f0 makes one instance per step
and calls ``analyze(series, settings)`` once per analysed series.
"""

import os


def open_files(settings):
    """How many files this worker process has open, and its resident memory."""
    fds = len(os.listdir("/proc/self/fd"))
    with open("/proc/self/statm") as f:
        rss_pages = int(f.read().split()[1])
    tags = {"role": settings.get("role", "worker")}
    return [
        {"name": "py_open_files", "value": fds, "tags": tags},
        {"name": "py_rss", "value": rss_pages * os.sysconf("SC_PAGE_SIZE"),
         "metric_type": "resource", "unit": "bytes", "tags": tags},
    ]


class MeanBelow:
    """Passes a series whose mean is below ``settings["limit"]``."""

    def analyze(self, series, settings):
        values = series["values"]
        mean = sum(values) / len(values)
        limit = float(settings["limit"])
        return {
            "passed": mean < limit,
            "message": f"{series['name']} mean {mean:.1f} vs limit {limit:g}",
            "values": {"mean": mean, "limit": limit, "samples": len(values)},
        }
