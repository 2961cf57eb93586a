#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that load BPF for real (as root), in
# `mvn verify` (which also builds the .deb), then the packaging tests: lintian, the unit's checks,
# alert rules, dashboard queries against a real Prometheus, and the package on a real systemd in
# systemd-nspawn. Installs what it needs first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test

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
