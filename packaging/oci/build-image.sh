#!/bin/bash
# Builds exec-exporter's OCI image from Debian packages and the project's .deb, with buildah and no
# registry: a Debian 12 root debootstrapped with the package's dependencies (cached), the .deb
# installed into it with dpkg, committed from an empty image as one layer, tagged with the package
# version, and written as an OCI archive. Run as root (debootstrap, chroot).
#
#   build-image.sh [--deb FILE] [--output FILE] [--cache DIR]
#
# Defaults: target/exec-exporter_<version>_amd64.deb, target/exec-exporter-<version>.oci.tar, and
# /var/cache/exec-exporter-image for the debootstrapped root. Load the archive with
# `podman load -i FILE` or `skopeo copy oci-archive:FILE docker-daemon:exec-exporter:<version>`.
set -euo pipefail

root_dir=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$root_dir/pom.xml")
deb=$root_dir/target/exec-exporter_${version}_amd64.deb
output=
cache=/var/cache/exec-exporter-image
SUITE=bookworm
MIRROR=${MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

die() { echo "build-image.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--deb) deb=${2:?--deb needs a file}; shift 2 ;;
	--output) output=${2:?--output needs a file}; shift 2 ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	*) echo "usage: build-image.sh [--deb FILE] [--output FILE] [--cache DIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || die "run as root: debootstrap and chroot need it"
[ -f "$deb" ] || die "no package at $deb: run mvn -B package first, or give --deb"
for tool in debootstrap buildah dpkg-deb; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install debootstrap buildah)"
done
version=$(dpkg-deb -f "$deb" Version)
tag=localhost/exec-exporter:$version
output=${output:-$root_dir/target/exec-exporter-$version.oci.tar}

work=$(mktemp -d /var/tmp/exec-exporter-image.XXXXXX)
buildah=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
container=
cleanup() {
	[ -z "$container" ] || "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- the base: Debian 12 and the package's dependencies (first alternatives), cached ------------
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$' | sort -u | paste -sd, -)
key=$(printf '%s %s %s v1' "$SUITE" "$deps" "$MIRROR" | sha256sum | cut -c1-16)
base=$cache/$SUITE-$key
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 900 9 || die "cannot lock $cache"
if [ ! -f "$base/.complete" ]; then
	echo "build-image.sh: debootstrapping $SUITE with $deps into $base" >&2
	rm -rf "$base.tmp"
	debootstrap --variant=minbase --include="$deps" "$SUITE" "$base.tmp" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
		|| { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
	touch "$base.tmp/.complete"
	mv "$base.tmp" "$base"
	find "$cache" -mindepth 1 -maxdepth 1 -type d -name "$SUITE-*" ! -name "$SUITE-$key" -exec rm -rf {} +
fi
cp -a "$base" "$work/rootfs"
flock -u 9
rm -f "$work/rootfs/.complete"

# --- the package, installed as on a host; nothing may start a service in a chroot ----------------
rootfs=$work/rootfs
cp "$deb" "$rootfs/tmp/exec-exporter.deb"
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod +x "$rootfs/usr/sbin/policy-rc.d"
chroot "$rootfs" dpkg -i /tmp/exec-exporter.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; die "dpkg -i failed"; }
# What a container does not use: the package caches and lists, manuals, the systemd enablement.
rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/tmp/exec-exporter.deb"
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/usr/share/man \
	"$rootfs"/usr/share/info "$rootfs"/etc/systemd/system/multi-user.target.wants/exec-exporter.service
rm -rf "${rootfs:?}"/dev/* "${rootfs:?}"/proc/* "${rootfs:?}"/sys/* "${rootfs:?}"/run/*
: >"$rootfs/etc/machine-id"
tar --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .

# --- the image: one layer on nothing, configured as the DaemonSet runs it ------------------------
container=$("${buildah[@]}" from scratch)
"${buildah[@]}" add "$container" "$work/rootfs.tar" / >/dev/null
"${buildah[@]}" config \
	--entrypoint '["/usr/bin/exec-exporter"]' \
	--cmd '["--config.file=/etc/exec-exporter/exec-exporter.yml"]' \
	--port 10135/tcp --user 0:0 --workingdir / --stop-signal SIGTERM \
	--label org.opencontainers.image.title=exec-exporter \
	--label org.opencontainers.image.description="Prometheus exporter of every exec() on the host, traced with BPF" \
	--label org.opencontainers.image.version="$version" \
	--label org.opencontainers.image.licenses="BSD-2-Clause OR GPL-2.0-only" \
	--label org.opencontainers.image.base.name="debian:$SUITE (debootstrap --variant=minbase)" \
	"$container"
mkdir -p "$(dirname "$output")"
rm -f "$output"
"${buildah[@]}" commit --quiet --format oci --disable-compression=false "$container" "oci-archive:$output:$tag" >/dev/null
echo "$output $tag"
