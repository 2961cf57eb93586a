"""The mixin's parameters and recorded names, for the tests: evaluated from packaging/mixin with
jsonnet, so that every name lives in one place (packaging/mixin/config.libsonnet).

    mixin.py get <path>       one value, e.g. `recorded.fleetCommRate` or `_config.metrics.events`
"""
import functools
import json
import os
import subprocess
import sys

MIXIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mixin")

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



if __name__ == "__main__":
    if sys.argv[1:2] == ["get"] and len(sys.argv) == 3:
        value = evaluate(sys.argv[2])
        print(value if isinstance(value, str) else json.dumps(value))
    else:
        sys.exit(__doc__)
