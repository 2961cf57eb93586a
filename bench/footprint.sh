#!/usr/bin/env bash
# One command for the footprint table (bench/footprint.py): installs what it needs, builds the
# current tree, and measures it against another build, e.g. `bench/footprint.sh --baseline main`
# (about 10 minutes a round per build). Writes its section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
mvn -B -q -ntp package -DskipTests
exec /usr/bin/python3 bench/footprint.py "$@"
