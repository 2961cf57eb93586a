#!/bin/bash
# The .deb: its layout, conffiles, dependencies and maintainer scripts, and lintian.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages lintian dpkg-dev binutils
deb=$(deb_path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"

# path mode: every file an operator relies on, with its mode
while read -r path mode; do
	[ -e "$work/root$path" ] || fail "$path is missing from the package"
	actual=$(stat -c %a "$work/root$path")
	[ "$actual" = "$mode" ] || fail "$path has mode $actual, expected $mode"
done <<'LIST'
/usr/bin/exec-exporter 755
/usr/share/exec-exporter/exec-exporter.jar 644
/usr/share/exec-exporter/jvm.options 644
/usr/lib/exec-exporter/libexecexporter.so 644
/usr/lib/exec-exporter/make-cds-archive 755
/etc/exec-exporter/exec-exporter.yml 644
/etc/exec-exporter/logback.xml 644
/etc/default/exec-exporter 644
/lib/systemd/system/exec-exporter.service 644
/usr/share/man/man1/exec-exporter.1.gz 644
/usr/share/doc/exec-exporter/copyright 644
/usr/share/doc/exec-exporter/changelog.gz 644
/usr/share/doc/exec-exporter/README.md 644
/usr/share/doc/exec-exporter/examples/grafana/exec-exporter.json 644
/usr/share/doc/exec-exporter/examples/grafana/exec-exporter-fleet.json 644
/usr/share/doc/exec-exporter/examples/prometheus/rules.yml 644
/usr/share/doc/exec-exporter/examples/prometheus/alerts.yml 644
/usr/share/doc/exec-exporter/examples/prometheus/scrape.yml 644
/usr/share/doc/exec-exporter/examples/prometheus/federate.yml 644
LIST

owners=$(dpkg-deb -c "$deb" | awk '{print $2}' | sort -u)
if [ "$owners" != root/root ]; then
	fail "some files are not owned by root:root"
fi
grep -qx 'ARGS=""' "$work/root/etc/default/exec-exporter" || fail '/etc/default/exec-exporter does not set ARGS=""'
grep -q -- '-Dexecexporter.native.library=/usr/lib/exec-exporter/libexecexporter.so' \
	"$work/root/usr/bin/exec-exporter" || fail "the wrapper does not point the JVM at the packaged JNI library"

conffiles=$(find "$work/root/etc" -type f | sed "s|^$work/root||" | sort)
[ "$conffiles" = "$(sort "$work/control/conffiles")" ] \
	|| fail "conffiles does not list exactly the files under /etc: $(tr '\n' ' ' <<<"$conffiles")"
cmp -s "$work/root/etc/exec-exporter/exec-exporter.yml" "$ROOT/config/exec-exporter.yml" \
	|| fail "/etc/exec-exporter/exec-exporter.yml is not config/exec-exporter.yml"

# Every flag of the daemon and of trace is in the man page.
man_page=$(zcat "$work/root/usr/share/man/man1/exec-exporter.1.gz" | sed 's/\\-/-/g; s/\\f[BIR]//g')
for cmd in "" trace; do
	# shellcheck disable=SC2086 # no command: no word
	help=$(java -jar "$work/root/usr/share/exec-exporter/exec-exporter.jar" $cmd --help 2>&1 || true)
	flags=$(sed -n 's/^  --\(\[no-\]\)\{0,1\}\([a-z][a-z.-]*\).*/\2/p' <<<"$help")
	[ -n "$flags" ] || fail "exec-exporter $cmd --help lists no flags: $help"
	for flag in $flags; do
		grep -qE -- "--(\[no-\])?$flag([^a-z.-]|$)" <<<"$man_page" \
			|| fail "the man page does not describe --$flag (exec-exporter $cmd --help has it)"
	done
done

control_field() { sed -n "s/^$1: //p" "$work/control/control"; }
[ "$(control_field Package)" = exec-exporter ] || fail "Package is not exec-exporter"
[ "$(control_field Architecture)" = amd64 ] || fail "Architecture is not amd64"
[ "$(control_field Version)" = "$(project_version)" ] || fail "Version is not the project version $(project_version)"
depends=$(control_field Depends)
for dep in 'default-jre-headless (>= 2:1.17) | java17-runtime-headless' 'libbpf1' 'adduser' 'init-system-helpers'; do
	case ", $depends," in *", $dep"*) ;; *) fail "Depends lacks $dep: $depends" ;; esac
done

# The JNI library's own needs, as dpkg-shlibdeps computes them, must all be in Depends.
mkdir -p "$work/shlibs/debian"
printf 'Source: exec-exporter\n\nPackage: exec-exporter\nArchitecture: any\n' > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$work/root/usr/lib/exec-exporter/libexecexporter.so" 2>/dev/null \
	| sed -n 's/^shlibs:Depends=//p')
IFS=',' read -ra needed <<<"$shlibs"
for dep in "${needed[@]}"; do
	dep=$(echo "$dep" | sed 's/^ *//; s/ *$//')
	case ", $depends," in *", $dep,"*) ;; *) fail "Depends lacks '$dep', which the JNI library needs (dpkg-shlibdeps: $shlibs)" ;; esac
done

for script in postinst prerm postrm; do
	sh -n "$work/control/$script" || fail "$script does not parse"
done

# Lintian: no error, and no warning that packaging/deb/lintian-allowed does not list with a reason.
allowed=$(grep -v '^#' "$ROOT/packaging/deb/lintian-allowed" | awk 'NF {print $1}')
report=$(lintian --allow-root --display-info --pedantic "$deb" 2>&1 || true)
printf '%s\n' "$report" | grep -E '^[EWIP]:' >&2 || true
errors=$(printf '%s\n' "$report" | grep -E '^E:' || true)
[ -z "$errors" ] || fail "lintian reports errors: $(echo "$errors" | tr '\n' ' ')"
while read -r line; do
	[ -n "$line" ] || continue
	tag=$(echo "$line" | awk '{print $3}')
	grep -qx "$tag" <<<"$allowed" || fail "lintian warning not listed in packaging/deb/lintian-allowed: $line"
done < <(printf '%s\n' "$report" | grep -E '^W:' || true)

pass "layout, conffiles, Depends and lintian ($(printf '%s\n' "$report" | grep -c '^W:' || true) allowed warnings)"
