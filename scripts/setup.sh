#!/usr/bin/env bash
# Installs, from Debian 12's packages, what building exec-exporter needs (and with --test, what its
# tests need, stress-ng for SLOW=1 scripts/test.sh included; with --bench, what the benchmark needs).
# Run as root. Idempotent: touches apt only when something is missing.
set -euo pipefail

build=(openjdk-17-jdk-headless maven make gcc libc6-dev git
       clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config)
test=(prometheus util-linux procps curl openssl stress-ng
      jsonnet python3-yaml nodejs buildah debootstrap systemd-container)
bench=(bpftrace libbpf-tools prometheus python3 util-linux procps)

want=("${build[@]}")
case "${1:-}" in
    --test) want+=("${test[@]}") ;;
    --bench) want+=("${bench[@]}") ;;
    "") ;;
    *) echo "usage: setup.sh [--test|--bench]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if (( ${#missing[@]} > 0 )); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing packages ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d: packages (prometheus) must not start services of their own on the build machine
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
