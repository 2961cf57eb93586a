#!/bin/bash
# The mixin's output: the shipped rules, alerts, example configs and dashboards are what
# packaging/mixin generates; promtool checks them; the unit tests of the recording rules and of the
# alerts pass; every recording rule is tested and named level:metric:operations; every alert is
# tested where it fires and where it stays quiet, named and annotated as the mixins do, and its
# runbook_url opens a README heading.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages prometheus python3-yaml jsonnet
dir=$ROOT/packaging/prometheus

out=$("$ROOT/packaging/mixin/build.sh" --check 2>&1) || fail "$out"
out=$(promtool check rules "$dir/rules.yml" "$dir/alerts.yml" 2>&1) || fail "promtool check rules: $out"
for config in scrape.yml federate.yml; do
	out=$(cd "$dir" && promtool check config "$config" 2>&1) || fail "promtool check config $config: $out"
done
for tests in rules_test.yml alerts_test.yml; do
	out=$(cd "$dir" && promtool test rules "$tests" 2>&1) || fail "promtool test rules $tests: $out"
done
for dashboard in "$ROOT"/packaging/grafana/*.json; do
	out=$(python3 "$ROOT/packaging/test/dashboard_queries.py" "$dashboard" 2>&1) || fail "$(basename "$dashboard"): $out"
done

problems=$(ROOT=$ROOT python3 - "$dir" "$ROOT/README.md" <<'PY'
import os, re, sys, yaml
sys.path.insert(0, os.path.join(os.environ["ROOT"], "packaging", "test"))
import mixin

d, readme = sys.argv[1], open(sys.argv[2]).read()
load = lambda name: yaml.safe_load(open(os.path.join(d, name)))
rules, alerts = load("rules.yml"), load("alerts.yml")
rule_tests, alert_tests = load("rules_test.yml"), load("alerts_test.yml")

# GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
           for h in re.findall(r"^#+ (.*)$", readme, re.M)}

tested = {t["expr"] for test in rule_tests["tests"] for t in test.get("promql_expr_test", [])
          if t.get("exp_samples")}
records = [r["record"] for g in rules["groups"] for r in g["rules"]]
for name in records:
    if not re.fullmatch(r"[a-z_]+:[a-z_]+:[a-z0-9_]+", name):
        print(f"{name}: not named level:metric:operations")
    if name not in tested:
        print(f"{name}: no test in rules_test.yml")
federated = set(mixin.federated())
first_level = {r["record"] for g in rules["groups"] if g["name"] != "exec-exporter-fleet.rules" for r in g["rules"]}
if federated != first_level:
    print(f"federated {sorted(federated)} are not the recorded series of the regional groups {sorted(first_level)}")

fired = {t["alertname"] for test in alert_tests["tests"] for t in test.get("alert_rule_test", [])
         if any(t.get("exp_alerts") or [])}
quiet = {t["alertname"] for test in alert_tests["tests"] for t in test.get("alert_rule_test", [])
         if not t.get("exp_alerts")}
base = mixin.config()["runbookURLBase"]
for r in (r for g in alerts["groups"] for r in g["rules"]):
    name, annotations = r["alert"], r.get("annotations", {})
    if not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
        print(f"{name}: not a CamelCase name")
    if r.get("labels", {}).get("severity") not in ("info", "warning", "critical"):
        print(f"{name}: no severity label of info, warning or critical")
    for a in ("summary", "description", "runbook_url"):
        if not annotations.get(a):
            print(f"{name}: no {a} annotation")
    url = annotations.get("runbook_url", "")
    if not url.startswith(base + "#") or url.split("#", 1)[1] not in anchors:
        print(f"{name}: runbook_url {url} is not a heading of README.md")
    if name not in fired:
        print(f"{name}: no test in alerts_test.yml where it fires")
    if name not in quiet:
        print(f"{name}: no test in alerts_test.yml where it stays quiet")
PY
)
[ -z "$problems" ] || fail "$(echo "$problems" | paste -sd ';' -)"
pass "generated files up to date; promtool check and test rules: $(grep -c '^ *- expr:' "$dir/rules.yml") recording rules and $(grep -c '^ *- alert:' "$dir/alerts.yml") alerts, each tested; runbooks in the README"
