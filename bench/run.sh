#!/usr/bin/env bash
# One command for the benchmark table: installs what it needs, builds, runs bench/bench.py as root,
# and writes bench/RESULTS.md (about 15 minutes). Options are bench.py's (--rounds, --count,
# --configs, --long-seconds, --no-jmh, ...; see bench/bench.py --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
mvn -B -q -ntp package -DskipTests
exec /usr/bin/python3 bench/bench.py "$@"
