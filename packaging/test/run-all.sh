#!/bin/bash
# Every packaging test, in order, after `mvn -B verify` (or package) has built the .deb. Runs them
# all even when one fails, prints a PASS/FAIL line and the duration of each, and exits non-zero if
# any failed. Needs root (BPF, debootstrap, systemd-nspawn).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo "FAIL run-all: run as root"; exit 1; }
failed=()
total=$SECONDS
for test in check-deb check-unit test-rules test-dashboard test-kubernetes test-federation test-image test-nspawn; do
	start=$SECONDS
	if "$here/$test.sh"; then
		echo "    ($test: $((SECONDS - start))s)"
	else
		echo "    ($test: failed after $((SECONDS - start))s)"
		failed+=("$test")
	fi
done
if [ ${#failed[@]} -eq 0 ]; then
	echo "PASS run-all: every packaging test in $((SECONDS - total))s"
else
	echo "FAIL run-all: ${failed[*]} ($((SECONDS - total))s)"
	exit 1
fi
