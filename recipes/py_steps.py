"""Python steps of recipes/python_steps.yaml: plain Framework0 scriptlets, found by f0 beside
the recipe and run unmodified in its Python worker."""

from scriptlets.foundation.metrics import performance_timer, performance_tracker


@performance_timer("sieve_pass", tags={"algorithm": "eratosthenes"})
def sieve(limit):
    flags = bytearray([1]) * (limit + 1)
    flags[0:2] = b"\x00\x00"
    for i in range(2, int(limit ** 0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, limit + 1, i)))
    return [i for i, f in enumerate(flags) if f]


class Sieve:
    """Runs the timed sieve ``args.repeats`` times up to ``args.limit``."""

    def run(self, context, args):
        limit, repeats = int(args["limit"]), int(args.get("repeats", 10))
        with performance_tracker("sieve_all") as tracked:
            for _ in range(repeats):
                primes = sieve(limit)
            tracked.add_metadata("limit", limit)
        context.set("py_steps.primes", {"limit": limit, "count": len(primes),
                                        "largest": primes[-1]}, who="Sieve")
        return 0


class BaselineReport:
    """Reads the baseline the analyze step established for ``args.metric`` (whose one series
    is the timed function)."""

    def run(self, context, args):
        metric = args["metric"]
        # One entry per series, keyed by its canonical tag string ("*" for a pool).
        per_series = context.get("metrics.baselines." + metric)
        if not per_series:
            print(f"no baseline for {metric} yet")
            return 1
        if len(per_series) != 1:
            print(f"{metric} has baselines of several series: {sorted(per_series)}")
            return 1
        baseline = next(iter(per_series.values()))
        print(f"{metric}: baseline mean {baseline['mean'] / 1e6:.3f} ms "
              f"over {baseline['sample_count']} calls")
        context.set("py_steps.report", {"metric": metric, "mean_ns": baseline["mean"],
                                        "calls": baseline["sample_count"]}, who="BaselineReport")
        return 0
