"""The mixin's parameters and recorded names, for the tests: evaluated from packaging/mixin with
jsonnet, so that every name lives in one place (packaging/mixin/config.libsonnet).

    mixin.py get <path>       one value, e.g. `recorded.fleetCommRate` or `_config.metrics.events`
    mixin.py legacy-relabel   the metric_relabel_configs below, as JSON
"""
import functools
import json
import os
import subprocess
import sys

MIXIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mixin")

# Today's exporter exports its window histograms under older names than the mixin's. The tests'
# Prometheus servers rename them at scrape time, so that the shipped rules and dashboards, written
# for the mixin's names, are tested against the real exporter. Remove an entry once the exporter
# exports the mixin's name (the relabelling then matches nothing and can go).
LEGACY_NAMES = {"commWindow": "exec_rate_per_comm_execs", "hostWindow": "exec_rate_host_execs"}


@functools.lru_cache(maxsize=None)
def evaluate(expr):
    out = subprocess.run(["jsonnet", "-J", MIXIN, "-e", f"local mixin = import 'mixin.libsonnet'; mixin.{expr}"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def config():
    return evaluate("_config")


def metrics():
    return config()["metrics"]


def recorded():
    return evaluate("recorded")


def federated():
    return evaluate("federated")


def legacy_relabel_configs():
    names = metrics()
    return [{"source_labels": ["__name__"], "regex": f"{old}_(bucket|count|sum|max)",
             "target_label": "__name__", "replacement": f"{names[key]}_$1"}
            for key, old in LEGACY_NAMES.items() if names[key] != old]


if __name__ == "__main__":
    if sys.argv[1:2] == ["get"] and len(sys.argv) == 3:
        value = evaluate(sys.argv[2])
        print(value if isinstance(value, str) else json.dumps(value))
    elif sys.argv[1:] == ["legacy-relabel"]:
        print(json.dumps(legacy_relabel_configs()))
    else:
        sys.exit(__doc__)
