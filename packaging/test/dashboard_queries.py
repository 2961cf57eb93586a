#!/usr/bin/env python3
"""Checks the Grafana dashboard: its structure, then every query against a running Prometheus.

    dashboard_queries.py <dashboard.json>                          structure only
    dashboard_queries.py <dashboard.json> <prometheus URL> <job> <deadline seconds> [<metric key>,...]

Grafana's variables are resolved the way Grafana would: $__rate_interval, $__interval and $__range
get concrete durations, query variables get the values their label_values() query returns from
Prometheus (the All value where the variable has one), custom variables their default. Every
query must evaluate without error; those about execs (the exec counters and window histograms, and
the series recorded from them) must also return data, whichever attribution labels the exporter
exports (the unit, container and user variables resolve to their All value when it exports none),
and so must those about the metrics named by their keys in the mixin's `metrics` (`exits,lifetime`),
where the caller makes them. What each dashboard must show, and the
metric names, come from the mixin (packaging/mixin). Prints one line per problem and exits 1 if
there is any.
"""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import mixin

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
BUILTINS = {"__rate_interval": "15s", "__interval": "2s", "__range": "5m"}


def exec_metrics(extra_keys=()):
    """Matches a query about execs (or the metrics of extra_keys): the metrics' names, also inside
    the recorded names."""
    m = mixin.metrics()
    names = [m[k].removesuffix("_total") for k in ("events", "commWindow", "hostWindow", *extra_keys)]
    return re.compile("(" + "|".join(map(re.escape, names)) + ")")


def requirements(uid):
    """The variables, metrics and heatmap that the dashboard of this uid must have."""
    m, r = mixin.metrics(), mixin.recorded()
    attribution = ["comm", "unit", "container", "user"]
    if uid == "exec-exporter-fleet":
        return {"variables": ["job"] + (["cluster"] if mixin.config()["clusterLabel"] else []) + attribution,
                "metrics": [r[k] for k in ("jobRate", "commRate", "instanceRate", "unitRate", "userRate", "containerRate",
                                           "hostWindowBuckets", "commWindowBuckets", "up", "targets", "lost", "dropped",
                                           "overflow", "exits", "failures", "lifetimeBuckets", "collectors",
                                           "configReloads", "configReloadsOk")],
                "heatmap": r["commWindowBuckets"]}
    return {"variables": ["job", "instance"] + attribution,
            "metrics": [m["events"], m["commWindow"] + "_bucket", m["hostWindow"] + "_bucket", m["lifetime"] + "_bucket"]
                       + [m[k] for k in ("lost", "dropped", "overflow", "queueDepth", "bpfProgRunSeconds", "bpfProgRuns",
                                       "processRss", "processCpu", "exits", "failures", "collectorEnabled",
                                       "configReloadSuccessful", "configReloadTimestamp", "series", "seriesLimit",
                                       "cgroupUnknown", "userLookupFailures")],
            "heatmap": m["commWindow"] + "_bucket"}


def panels_of(dashboard):
    for p in dashboard.get("panels", []):
        yield p
        yield from p.get("panels", [])


def datasource_refs(node, path="$"):
    """Every datasource reference anywhere in the JSON, with its path."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasource":
                yield f"{path}.{k}", v
            yield from datasource_refs(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from datasource_refs(v, f"{path}[{i}]")


def check_structure(d):
    problems = []
    required = requirements(d.get("uid"))
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append("no variable 'datasource' of type datasource for prometheus")
    for name in required["variables"]:
        if variables.get(name, {}).get("type") != "query":
            problems.append(f"no query variable '{name}'")
    # A variable over a label that the exporter may not export (unit, container, user: only when
    # --metrics.labels chooses them) must offer All as '.*', which also matches a series without it.
    for name in ("comm", "unit", "container", "user"):
        v = variables.get(name, {})
        if v and (not v.get("includeAll") or v.get("allValue") != ".*"):
            problems.append(f"variable '{name}' has no All of '.*' (a label that may be absent)")
    for path, ref in datasource_refs(d):
        if path.startswith("$.annotations") and ref == {"type": "grafana", "uid": "-- Grafana --"}:
            continue
        if ref != DATASOURCE:
            problems.append(f"{path} is {json.dumps(ref)}, not {json.dumps(DATASOURCE)} (no hard-coded datasource)")
    ids = [p.get("id") for p in panels_of(d)]
    if len(ids) != len(set(ids)):
        problems.append("panel ids are not unique")
    exprs = []
    for p in panels_of(d):
        if p.get("type") == "row":
            continue
        if "gridPos" not in p:
            problems.append(f"panel '{p.get('title')}' has no gridPos")
        if p.get("datasource") != DATASOURCE:
            problems.append(f"panel '{p.get('title')}' does not use ${{datasource}}")
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            exprs.append((p["title"], t.get("refId"), expr))
            if re.search(r"\[\d+[smhdwy]\]", expr):
                problems.append(f"panel '{p['title']}' {t.get('refId')}: a fixed range; use $__rate_interval: {expr}")
            if re.search(r"\b(rate|irate|increase)\(", expr) and not re.search(r"\[\$__(rate_interval|range)\]", expr):
                problems.append(f"panel '{p['title']}' {t.get('refId')}: rate without $__rate_interval: {expr}")
    if not any(p.get("type") == "heatmap" and required["heatmap"] in t.get("expr", "")
               for p in panels_of(d) for t in p.get("targets", [])):
        problems.append(f"no heatmap of {required['heatmap']}")
    all_exprs = " ".join(e for _, _, e in exprs)
    for m in required["metrics"]:
        if m not in all_exprs:
            problems.append(f"no panel queries {m}")
    return problems, variables, exprs


def substitute(expr, values):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return values.get(name, m.group(0))
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", repl, expr)


def api(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def resolve_variables(base, variables, job):
    """Values for the variables; problems if a label_values() query finds nothing."""
    values = dict(BUILTINS)
    problems = []
    for name, v in variables.items():  # in dashboard order: later queries use earlier values
        if v["type"] == "datasource":
            continue
        if v["type"] == "custom":
            values[name] = str(v.get("current", {}).get("value") or v["query"].split(",")[0])
            continue
        if v["type"] != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q)
        if not m:
            problems.append(f"variable {name}: not a label_values() query: {q}")
            continue
        match, label = substitute(m.group(1), values), m.group(2)
        r = api(base, f"/api/v1/label/{label}/values", {"match[]": match})
        found = r.get("data") or []
        if r.get("status") == "success" and not found and name != "job" and v.get("includeAll"):
            # Grafana offers All even then: a label that this Prometheus's series do not have (the
            # cluster, where it is an external label) matches everything.
            values[name] = v.get("allValue") or ".*"
            continue
        if r.get("status") != "success" or not found:
            problems.append(f"variable {name}: {q} finds nothing ({r.get('error', 'no values')})")
            continue
        if name == "job":
            if job not in found:
                problems.append(f"variable job: {job} is not among {found}")
            values[name] = job
        else:
            values[name] = v.get("allValue") if v.get("includeAll") and v.get("allValue") else found[0]
    return values, problems


def main():
    d = json.load(open(sys.argv[1]))
    problems, variables, exprs = check_structure(d)
    if len(sys.argv) == 2 or problems:
        for p in problems:
            print(p)
        print(f"{len(exprs)} queries, structure {'ok' if not problems else 'BAD'}", file=sys.stderr)
        sys.exit(1 if problems else 0)

    base, job, deadline = sys.argv[2], sys.argv[3], time.monotonic() + float(sys.argv[4])
    about_execs = exec_metrics(sys.argv[5].split(",") if len(sys.argv) > 5 else ())
    while True:
        values, problems = resolve_variables(base, variables, job)
        pending = []
        for title, ref, expr in exprs:
            q = substitute(expr, values)
            r = api(base, "/api/v1/query", {"query": q})
            if r.get("status") != "success":
                problems.append(f"panel '{title}' {ref}: {r.get('errorType')}: {r.get('error')}: {q}")
            elif about_execs.search(expr) and not r["data"]["result"]:
                pending.append(f"panel '{title}' {ref}: no data: {q}")
        if any(not p.startswith("variable") for p in problems):
            break  # an evaluation error does not go away by waiting
        if not problems and not pending:
            print(f"{len(exprs)} queries evaluate, {sum(1 for _, _, e in exprs if about_execs.search(e))} "
                  f"about execs{' and ' + sys.argv[5].replace(',', ', ') if len(sys.argv) > 5 else ''} return data", file=sys.stderr)
            sys.exit(0)
        if time.monotonic() > deadline:
            problems += pending
            break
        time.sleep(2)
    for p in problems:
        print(p)
    sys.exit(1)


if __name__ == "__main__":
    main()
