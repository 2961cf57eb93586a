// Recording rules, named level:metric:operations as in Prometheus' rules practices. Three groups:
// - exec-exporter.rules, where the exporters are scraped (a regional Prometheus): per-instance and
//   per-job aggregates of the raw series. The global Prometheus federates exactly these (federated).
// - exec-exporter-exits.rules, the same for the exit and failure metrics.
// Every aggregation names the labels it keeps, so the attribution labels of --metrics.labels (unit,
// container, user, ...) never multiply the recorded series except where a rule keeps one on purpose.
// - exec-exporter-fleet.rules, wherever the job-level series are (the global Prometheus, or a single
//   one): the fleet, summed over jobs and clusters. It reads recorded series only.
{
  local cfg = $._config,
  local m = cfg.metrics,
  local w = cfg.rateInterval,
  // 'exec_events_total' -> 'exec_events': a rate is no longer a total.
  local base(name) = if std.endsWith(name, '_total') then std.substr(name, 0, std.length(name) - 6) else name,
  local sel(metric) = '%s{%s}' % [metric, cfg.selector],
  // The labels an aggregation keeps: the cluster label (when set), the job, and the given ones.
  local by(labels) = std.join(', ', (if cfg.clusterLabel != '' then [cfg.clusterLabel] else []) + ['job'] + labels),

  // The name of every recorded series, for the alerts, the dashboards, the federation and the tests.
  recorded:: {
    instanceRate: 'instance:%s:rate%s' % [base(m.events), w],
    jobRate: 'job:%s:rate%s' % [base(m.events), w],
    commRate: 'job_comm:%s:rate%s' % [base(m.events), w],
    commTotal: 'job_comm:%s:sum' % m.events,
    unitRate: 'job_unit:%s:rate%s' % [base(m.events), w],
    userRate: 'job_user:%s:rate%s' % [base(m.events), w],
    containerRate: 'job_container:%s:topk%d_rate%s' % [base(m.events), cfg.fleetTopContainers, w],
    hostWindowBuckets: 'job_le:%s_bucket:rate%s' % [m.hostWindow, w],
    commWindowBuckets: 'job_comm_le:%s_bucket:rate%s' % [m.commWindow, w],
    up: 'job:up:sum',
    targets: 'job:up:count',
    lost: 'job:%s:rate%s' % [base(m.lost), w],
    dropped: 'job:%s:rate%s' % [base(m.dropped), w],
    overflow: 'job:%s:rate%s' % [base(m.overflow), w],
    collectors: 'job_collector:%s:sum' % m.collectorEnabled,
    configReloadsOk: 'job:%s:sum' % m.configReloadSuccessful,
    configReloads: 'job:%s:count' % m.configReloadSuccessful,
    exits: 'job_comm_status:%s:rate%s' % [base(m.exits), w],
    failures: 'job_comm_errno:%s:rate%s' % [base(m.failures), w],
    lifetimeBuckets: 'job_comm_le:%s_bucket:rate%s' % [m.lifetime, w],
    fleetCommRate: 'comm:%s:rate%s' % [base(m.events), w],
    fleetCommTotal: 'comm:%s:sum' % m.events,
    fleetHostWindowBuckets: 'le:%s_bucket:rate%s' % [m.hostWindow, w],
    fleetExits: 'comm_status:%s:rate%s' % [base(m.exits), w],
    fleetFailures: 'comm_errno:%s:rate%s' % [base(m.failures), w],
  },
  local r = self.recorded,

  // What a global Prometheus federates from the regional ones: one series per host and per job
  // (and per comm, le, status or errno), never the raw per-host-and-comm series.
  federated:: [r.instanceRate, r.jobRate, r.commRate, r.commTotal, r.unitRate, r.userRate, r.containerRate,
               r.hostWindowBuckets, r.commWindowBuckets, r.up, r.targets, r.lost, r.dropped, r.overflow,
               r.collectors, r.configReloadsOk, r.configReloads, r.exits, r.failures, r.lifetimeBuckets],

  // `sum by` keeps only the named labels: the attribution labels (unit, container, user, ...) that
  // --metrics.labels adds to the exec, exit and failure series are summed away unless named.
  local rate(metric, labels) = 'sum by (%s) (rate(%s[%s]))' % [by(labels), sel(metric), w],

  prometheusRules+:: {
    groups+: [
      {
        name: 'exec-exporter.rules',
        rules: [
          { record: r.instanceRate, expr: rate(m.events, ['instance']) },
          { record: r.jobRate, expr: 'sum by (%s) (%s)' % [by([]), sel(r.instanceRate)] },
          { record: r.commRate, expr: rate(m.events, ['comm']) },
          // The sum of the hosts' counters: exact, but it drops when a host restarts or a comm's
          // series expires; for increases over time use the rate.
          { record: r.commTotal, expr: 'sum by (%s) (%s)' % [by(['comm']), sel(m.events)] },
          // Per attribution label: one series per job when the label is not chosen (unit="" then).
          { record: r.unitRate, expr: rate(m.events, ['unit']) },
          { record: r.userRate, expr: rate(m.events, ['user']) },
          // A container id is unique to its host: keep the busiest of each job, not every one.
          { record: r.containerRate, expr: 'topk by (%s) (%d, %s)' % [by([]), cfg.fleetTopContainers, rate(m.events, ['container', 'pod'])] },
          { record: r.hostWindowBuckets, expr: rate(m.hostWindow + '_bucket', ['le']) },
          { record: r.commWindowBuckets, expr: rate(m.commWindow + '_bucket', ['comm', 'le']) },
          { record: r.up, expr: 'sum by (%s) (%s)' % [by([]), sel('up')] },
          { record: r.targets, expr: 'count by (%s) (%s)' % [by([]), sel('up')] },
          { record: r.lost, expr: rate(m.lost, []) },
          { record: r.dropped, expr: rate(m.dropped, []) },
          { record: r.overflow, expr: rate(m.overflow, []) },
          // Hosts that run each collector; hosts whose last config reload worked, of those reporting.
          { record: r.collectors, expr: 'sum by (%s) (%s)' % [by(['collector']), sel(m.collectorEnabled)] },
          { record: r.configReloadsOk, expr: 'sum by (%s) (%s)' % [by([]), sel(m.configReloadSuccessful)] },
          { record: r.configReloads, expr: 'count by (%s) (%s)' % [by([]), sel(m.configReloadSuccessful)] },
        ],
      },
      {
        name: 'exec-exporter-exits.rules',
        rules: [
          { record: r.exits, expr: rate(m.exits, ['comm', 'status']) },
          { record: r.failures, expr: rate(m.failures, ['comm', 'errno']) },
          { record: r.lifetimeBuckets, expr: rate(m.lifetime + '_bucket', ['comm', 'le']) },
        ],
      },
      {
        name: 'exec-exporter-fleet.rules',
        rules: [
          { record: r.fleetCommRate, expr: 'sum by (comm) (%s)' % sel(r.commRate) },
          { record: r.fleetCommTotal, expr: 'sum by (comm) (%s)' % sel(r.commTotal) },
          { record: r.fleetHostWindowBuckets, expr: 'sum by (le) (%s)' % sel(r.hostWindowBuckets) },
          { record: r.fleetExits, expr: 'sum by (comm, status) (%s)' % sel(r.exits) },
          { record: r.fleetFailures, expr: 'sum by (comm, errno) (%s)' % sel(r.failures) },
        ],
      },
    ],
  },
}
