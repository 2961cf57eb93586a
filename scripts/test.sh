#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that load BPF for real (as root), in
# `mvn verify` (which also builds the .deb), then the packaging tests: lintian, the unit's checks,
# alert rules, dashboard queries against a real Prometheus, and the package on a real systemd in
# systemd-nspawn. Installs what it needs first. CI runs exactly this (.ci/run).
#
# SLOW=1 runs the same suite on a deliberately slowed machine, as hosts of this kind that exec 25x
# slower than others (or are busy): a CPU hog on every core (stress-ng) for the whole run, and every
# exec storm of the tests capped at 300 execs/s (EXEC_STORM_RATE_CAP to choose). The outcome of every
# test must be the same as without it; only the duration may grow.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test

if [[ "${SLOW:-}" == 1 ]]; then
    export EXEC_STORM_RATE_CAP=${EXEC_STORM_RATE_CAP:-300}
    # its own process group, so that the hogs go with it whatever way this script ends
    setsid stress-ng --cpu "$(nproc)" --cpu-load 100 --quiet &
    hogs=$!
    trap 'kill -TERM -- "-$hogs" 2>/dev/null; wait "$hogs" 2>/dev/null || true' EXIT
    echo "test: SLOW=1: $(nproc) CPU hogs (stress-ng, process group $hogs), exec storms capped at" \
        "$EXEC_STORM_RATE_CAP/s" >&2
fi

if [[ $(id -u) -ne 0 ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "test: CI=true but not root: the BPF tests must run in CI" >&2
        exit 1
    fi
    echo "test: NOT ROOT: the BPF integration tests will be skipped" >&2
fi

mvn -B -ntp verify

if [[ $(id -u) -eq 0 ]]; then
    bash packaging/test/run-all.sh
else
    echo "test: NOT ROOT: the packaging tests (debootstrap, systemd-nspawn) are skipped" >&2
fi
