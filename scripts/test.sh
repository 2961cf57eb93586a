#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that load BPF for real (as root), in
# `mvn verify`. Installs what it needs first. CI runs exactly this (.ci/run).
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
