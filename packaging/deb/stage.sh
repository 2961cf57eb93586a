#!/bin/sh
# Prepares the files of the .deb that are derived rather than copied: the stripped JNI library and
# the compressed changelog and man page. Called by Maven (prepare-package); jdeb packs the result.
#
#   stage.sh <project version> <JNI library> <output directory>
set -eu

version=$1
library=$2
out=$3
here=$(dirname "$0")

top=$(sed -n '1s/^exec-exporter (\([^)]*\)).*/\1/p' "$here/changelog")
if [ "$top" != "$version" ]; then
	echo "packaging/deb/changelog: the newest entry is $top, the project version is $version:" \
		"add a changelog entry for $version" >&2
	exit 1
fi

rm -rf "$out"
mkdir -p "$out"
# -n: no name or time in the gzip header, so the package is reproducible
gzip -9nc "$here/changelog" > "$out/changelog.gz"
gzip -9nc "$here/exec-exporter.1" > "$out/exec-exporter.1.gz"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	-o "$out/libexecexporter.so" "$library"
