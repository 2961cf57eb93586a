#!/usr/bin/env bash
# One command for the kernel-side cost of exits and failed execs (about 5 minutes): builds the
# prototype BPF programs, their loader and the test helpers, and runs bench_kernel.py as root.
# Options are bench_kernel.py's (--rounds, --calls, --storm, --output FILE; see --help).
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s -C bench/kernel OUT="$PWD/target/bench-kernel"
make -s -C src/test/native OUT="$PWD/target/test-native"
exec /usr/bin/python3 bench/kernel/bench_kernel.py "$@"
