#!/bin/bash
# The Kubernetes manifests (packaging/kubernetes): every object against the schemas of the
# Kubernetes API and of the Prometheus Operator's PodMonitor (kubernetes-models from the npm
# registry: types, formats, required fields; and unknown fields, through TypeScript's checks of
# the same package's types), then what the DaemonSet must be: CAP_BPF and CAP_PERFMON added and
# everything else dropped, not privileged, a read-only root, the BTF and cgroup mounts, probes on
# /-/ready and /-/healthy, resources, the image of this version; and a PodMonitor that scrapes it
# under the job the mixin's rules select. No cluster: a real kubelet is not tested here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CACHE_DIR=${CACHE_DIR:-/var/cache/exec-exporter-test}
need_packages python3-yaml jsonnet nodejs
command -v npm >/dev/null || need_packages npm
checks=$ROOT/packaging/test/kubernetes
manifests=$ROOT/packaging/kubernetes

# The checker's packages, installed once per version of its lock file.
key=$(cat "$checks/package.json" "$checks/package-lock.json" | sha256sum | cut -c1-16)
modules=$CACHE_DIR/npm-$key
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.npm-lock"
flock -w 300 9 || fail "cannot lock $CACHE_DIR/.npm-lock"
if [ ! -f "$modules/.complete" ]; then
	rm -rf "$modules"
	mkdir -p "$modules"
	cp "$checks/package.json" "$checks/package-lock.json" "$modules/"
	(cd "$modules" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$modules/npm.log" 2>&1) \
		|| { tail -n 20 "$modules/npm.log" >&2; fail "npm ci of packaging/test/kubernetes failed"; }
	touch "$modules/.complete"
	find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -type d -name 'npm-*' ! -name "npm-$key" -exec rm -rf {} +
fi
flock -u 9

work=$(mktemp -d "$modules/run.XXXXXX") # beside node_modules, which the checker's imports resolve from
trap 'rm -rf "$work"' EXIT
cp "$checks/validate.mjs" "$work/"

problems=$(ROOT=$ROOT python3 - "$manifests" "$work/objects.json" "$(project_version)" <<'PY'
import glob, json, os, sys, yaml
sys.path.insert(0, os.path.join(os.environ["ROOT"], "packaging", "test"))
import mixin

directory, out, version = sys.argv[1:4]
objects = [{"file": os.path.basename(f), "object": o}
           for f in sorted(glob.glob(os.path.join(directory, "*.yaml"))) for o in yaml.safe_load_all(open(f)) if o]
json.dump(objects, open(out, "w"))
kinds = {o["object"]["kind"]: o["object"] for o in objects}
problems = []
def need(condition, what):
    if not condition:
        problems.append(what)

ds, pm = kinds.get("DaemonSet"), kinds.get("PodMonitor")
need(ds and pm, f"packaging/kubernetes has no DaemonSet or no PodMonitor: {sorted(kinds)}")
if ds and pm:
    pod = ds["spec"]["template"]
    (c,) = pod["spec"]["containers"]
    sc = c.get("securityContext", {})
    need(not sc.get("privileged"), "the container is privileged")
    need(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    need(sc.get("readOnlyRootFilesystem") is True, "the root filesystem is not read-only")
    caps = sc.get("capabilities", {})
    need(caps.get("drop") == ["ALL"], f"capabilities.drop is {caps.get('drop')}, not [ALL]")
    need({"BPF", "PERFMON"} <= set(caps.get("add", [])) <= {"BPF", "PERFMON", "IPC_LOCK"},
         f"capabilities.add is {caps.get('add')}: BPF and PERFMON (and IPC_LOCK only) are wanted")
    need(not pod["spec"].get("hostNetwork"), "hostNetwork: the pod network is enough")
    need(c["image"].endswith(":" + version), f"image {c['image']} is not of version {version}")
    need(ds["metadata"]["labels"].get("app.kubernetes.io/version") == version,
         f"app.kubernetes.io/version is not {version}")
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    need(ports.get("metrics") == 10135, f"no container port metrics: 10135 ({ports})")
    need("--web.listen-address=:10135" in c.get("args", []), "the args do not listen on :10135")
    for probe, path in (("readinessProbe", "/-/ready"), ("livenessProbe", "/-/healthy")):
        get = c.get(probe, {}).get("httpGet", {})
        need(get.get("path") == path and get.get("port") == "metrics", f"{probe} is not GET {path} on metrics: {get}")
    res = c.get("resources", {})
    need(res.get("requests", {}).get("memory") and res.get("requests", {}).get("cpu"), "no cpu and memory requests")
    need(res.get("limits", {}).get("memory"), "no memory limit")
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    for path in ("/sys/kernel/btf", "/sys/fs/cgroup"):
        m = mounts.get(path)
        need(m and m.get("readOnly") and volumes.get(m["name"], {}).get("hostPath", {}).get("path") == path,
             f"the host's {path} is not mounted read-only at {path}")
    need("/tmp" in mounts, "no writable /tmp for the JVM on the read-only root")
    labels = pod["metadata"]["labels"]
    need(all(labels.get(k) == v for k, v in ds["spec"]["selector"]["matchLabels"].items()),
         "the DaemonSet's selector does not match its pods")
    # The PodMonitor scrapes these pods, under the job the mixin's rules select.
    need(all(labels.get(k) == v for k, v in pm["spec"]["selector"]["matchLabels"].items()),
         "the PodMonitor's selector does not match the DaemonSet's pods")
    need(ds["metadata"]["namespace"] in pm["spec"].get("namespaceSelector", {}).get("matchNames", []),
         "the PodMonitor does not look in the DaemonSet's namespace")
    job = labels.get(pm["spec"].get("jobLabel", ""))
    need(job == mixin.config()["jobName"], f"the PodMonitor's job would be {job}, not the mixin's {mixin.config()['jobName']}")
    (ep,) = pm["spec"]["podMetricsEndpoints"]
    need(ep.get("port") == "metrics" and ep.get("path", "/metrics") == "/metrics", f"the PodMonitor scrapes {ep}")
for p in problems:
    print(p)
PY
) || fail "reading the manifests: $problems"
[ -z "$problems" ] || fail "$(echo "$problems" | paste -sd ';' -)"

out=$(cd "$work" && node validate.mjs objects.json types.ts 2>&1) || fail "schema: $(echo "$out" | paste -sd ';' -)"
out=$(cd "$work" && "$modules/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --module nodenext \
	--moduleResolution nodenext --target es2022 types.ts 2>&1) || fail "unknown or mistyped fields: $(echo "$out" | paste -sd ';' -)"
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/objects.json")
pass "$count objects valid against the Kubernetes and Prometheus Operator schemas (kubernetes-models $(node -p 'require(process.argv[1]).version' "$modules/node_modules/kubernetes-models/package.json")); DaemonSet and PodMonitor as required"
