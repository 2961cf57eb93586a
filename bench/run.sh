#!/usr/bin/env bash
# One command for the benchmark table: installs what it needs, builds, runs bench/bench.py as root,
# and writes bench/RESULTS.md. Options are bench.py's (--rounds, --count, --configs, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
if [[ ! -f target/exec-exporter.jar || ! -x target/test-native/execstorm ]]; then
    mvn -B -q -ntp package -DskipTests
fi
exec /usr/bin/python3 bench/bench.py "$@"
