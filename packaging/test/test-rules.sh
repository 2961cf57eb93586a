#!/bin/bash
# The Prometheus alert rules and the example scrape config: promtool checks them, the unit tests
# pass, every alert has a test, and every alert is named and annotated as the mixins do.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages prometheus python3-yaml
dir=$ROOT/packaging/prometheus

out=$(promtool check rules "$dir/alerts.yml" 2>&1) || fail "promtool check rules: $out"
out=$(promtool check config "$dir/scrape.yml" 2>&1) || fail "promtool check config scrape.yml: $out"
out=$(cd "$dir" && promtool test rules alerts_test.yml 2>&1) || fail "promtool test rules: $out"

problems=$(python3 - "$dir/alerts.yml" "$dir/alerts_test.yml" <<'PY'
import re, sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
tested = {t["alertname"] for test in tests["tests"] for t in test.get("alert_rule_test", [])
          if any(t.get("exp_alerts") or [])}
alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
for r in alerts:
    name = r["alert"]
    if not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
        print(f"{name}: not a CamelCase name")
    if r.get("labels", {}).get("severity") not in ("info", "warning", "critical"):
        print(f"{name}: no severity label of info, warning or critical")
    for a in ("summary", "description"):
        if not r.get("annotations", {}).get(a):
            print(f"{name}: no {a} annotation")
    if name not in tested:
        print(f"{name}: no test in alerts_test.yml where it fires")
for needed in ("ExecExporterDown", "ExecExporterEventsLost", "ExecExporterEventsDropped",
               "ExecExporterCommSeriesAtLimit", "ExecStorm"):
    if needed not in {r["alert"] for r in alerts}:
        print(f"{needed}: missing")
PY
)
[ -z "$problems" ] || fail "$(echo "$problems" | paste -sd ';' -)"
pass "promtool check rules/config, promtool test rules, $(grep -c '^ *- alert:' "$dir/alerts.yml") alerts each tested"
