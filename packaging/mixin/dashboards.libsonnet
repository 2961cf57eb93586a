// Two Grafana dashboards, both with a data source variable and no fixed data source:
// - exec-exporter.json, one host or a few: raw series, filtered by instance;
// - exec-exporter-fleet.json, every host: recorded series only, so it costs the same for ten hosts
//   or ten thousand, and works on a global Prometheus that federates the recorded series.
{
  local cfg = $._config,
  local m = cfg.metrics,
  local r = $.recorded,
  local ds = { type: 'prometheus', uid: '${datasource}' },
  local cluster = cfg.clusterLabel,

  // --- building blocks -----------------------------------------------------------------------
  local target(expr, legend='', extra={}) = { datasource: ds, expr: expr, legendFormat: legend, range: true } + extra,
  local instant = { instant: true, range: false },
  local row(title) = { type: 'row', title: title, collapsed: false, panels: [], h:: 1, w:: 24 },
  local timeseries(title, description, targets, unit, w=12, h=8) = {
    type: 'timeseries', title: title, description: description, datasource: ds, targets: targets, w:: w, h:: h,
    fieldConfig: { defaults: { unit: unit, min: 0, custom: {
      fillOpacity: 10, lineWidth: 1, showPoints: 'never', stacking: { mode: 'none', group: 'A' },
    } }, overrides: [] },
    options: { legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] },
               tooltip: { mode: 'multi', sort: 'desc' } },
  },
  local heatmap(title, description, expr, w=8, h=8) = {
    type: 'heatmap', title: title, description: description, datasource: ds, maxDataPoints: 100, w:: w, h:: h,
    targets: [target(expr, '{{le}}', { format: 'heatmap' })],
    options: {
      calculate: false, cellGap: 1,
      color: { mode: 'scheme', scheme: 'Oranges', exponent: 0.5, steps: 64, fill: 'dark-orange', scale: 'exponential' },
      yAxis: { axisPlacement: 'left', unit: 'short', axisLabel: 'execs per second' },
      rowsFrame: { layout: 'auto' }, tooltip: { mode: 'single', yHistogram: true }, legend: { show: true },
      filterValues: { le: 1e-09 }, exemplars: { color: 'rgba(255,0,255,0.7)' },
    },
    fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' } } }, overrides: [] },
  },
  local stat(title, description, targets, fieldDefaults, w=4, h=8) = {
    type: 'stat', title: title, description: description, datasource: ds, targets: targets, w:: w, h:: h,
    fieldConfig: { defaults: fieldDefaults, overrides: [] },
    options: { colorMode: 'background', graphMode: 'none', reduceOptions: { calcs: ['lastNotNull'] } },
  },
  local table(title, description, expr, valueName, w=8, h=8) = {
    type: 'table', title: title, description: description, datasource: ds, w:: w, h:: h,
    targets: [target(expr, '{{comm}}', { format: 'table' } + instant)],
    transformations: [{ id: 'organize', options: {
      excludeByName: { Time: true }, renameByName: { comm: 'Command', Value: valueName },
    } }],
    fieldConfig: { defaults: { unit: 'short', decimals: 0 }, overrides: [] },
    options: { showHeader: true, sortBy: [{ displayName: valueName, desc: true }] },
  },
  // Lays the panels out left to right, a new line when a panel does not fit or after a row, and
  // numbers them.
  local layout(panels) = std.foldl(function(acc, p)
    local fits = acc.x + p.w <= 24 && p.type != 'row';
    local x = if fits then acc.x else 0;
    local y = if fits then acc.y else acc.y + acc.h;
    acc {
      panels+: [p {
        id: std.length(acc.panels) + 1,
        gridPos: { x: x, y: y, w: p.w, h: p.h },
        [if 'targets' in p then 'targets']: [p.targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(p.targets) - 1)],
      }],
      x: x + p.w, y: y, h: if fits then std.max(acc.h, p.h) else p.h,
    }, panels, { panels: [], x: 24, y: 0, h: 0 }).panels,

  local variable(name, label, query, all=false, multi=false) = {
    type: 'query', name: name, label: label, datasource: ds, definition: query,
    query: { query: query, refId: name + '-variable' }, refresh: 2, sort: 1, multi: multi,
    includeAll: all, current: {}, hide: 0, options: [], regex: '',
  } + (if all then { allValue: '.*' } else {}),
  // The attribution variables (unit, container, user): All by default, and All is '.*', which also
  // matches a series without the label, so the panels work whichever labels --metrics.labels chose.
  // Grafana's Prometheus data source escapes the regex characters of the chosen values ('.' of
  // cron.service): a value is matched as itself.
  local attributionVariables(metric, selector) = [
    variable(label, title, 'label_values(%s{%s}, %s)' % [metric, selector, label], all=true, multi=true)
    for label in ['unit', 'container', 'user']
    for title in [{ unit: 'Unit', container: 'Container', user: 'User' }[label]]
  ],
  local attribution = 'unit=~"$unit", container=~"$container", user=~"$user"',
  // An empty label value in a legend reads as a blank line: name it.
  local named(expr, label, none) = 'label_replace(%s, "%s", "%s", "%s", "")' % [expr, label, none, label],
  local crashSignals = '"%s"' % std.join('|', cfg.crashSignals),
  local onOff = {
    unit: 'short', decimals: 0,
    mappings: [{ type: 'value', options: { '0': { text: 'off', color: 'text' }, '1': { text: 'on', color: 'green' } } }],
    thresholds: { mode: 'absolute', steps: [{ color: 'text', value: null }, { color: 'green', value: 1 }] },
  },
  local reloadOk = {
    mappings: [{ type: 'value', options: { '0': { text: 'failed', color: 'red' }, '1': { text: 'ok', color: 'green' } } }],
    thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
  },
  local quantiles(buckets, legendPrefix='') = [
    target('histogram_quantile(%s, sum by (le) (%s))' % [q, buckets], legendPrefix + 'p' + std.toString(q * 100))
    for q in [0.5, 0.9, 0.99]
  ],
  local datasourceVariable = {
    type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus',
    current: {}, hide: 0, refresh: 1, regex: '', options: [],
  },
  local topVariable = {
    type: 'custom', name: 'top', label: 'Top', query: '5,10,20,50', multi: false, includeAll: false, hide: 0,
    current: { text: '10', value: '10' },
    options: [{ text: v, value: v, selected: v == '10' } for v in ['5', '10', '20', '50']],
  },
  local dashboard(uid, title, description, variables, panels) = {
    uid: uid, title: title, description: description, tags: cfg.dashboardTags,
    editable: true, graphTooltip: 1, schemaVersion: 39, version: 1, refresh: cfg.dashboardRefresh,
    time: { from: cfg.dashboardTimeFrom, to: 'now' }, timezone: '', links: [],
    annotations: { list: [{
      builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true,
      iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard',
    }] },
    templating: { list: [datasourceVariable] + variables },
    panels: layout(panels),
  },
  local up = {
    mappings: [{ type: 'value', options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } } }],
    thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
  },

  // --- one host, or a few ------------------------------------------------------------------------
  local h = 'job="$job", instance=~"$instance"',
  local hrate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, h, extra],
  local byInstance(metric) = 'sum by (instance) (%s)' % hrate(metric),
  // The series that carry comm and the attribution labels, filtered by the dashboard's variables.
  local ha = '%s, comm=~"$comm", %s' % [h, attribution],
  local harate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, ha, extra],
  local hostDashboard = dashboard(
    'exec-exporter', 'exec-exporter',
    "Every exec() on a host, traced with BPF by exec-exporter: exec rates per command, exec-rate histograms and the exporter's health. For many hosts at once, see the fleet dashboard.",
    [
      variable('job', 'Job', 'label_values(%s{%s}, job)' % [m.buildInfo, cfg.selector]),
      // No All: a query over every host's raw series is what the fleet dashboard exists to avoid.
      variable('instance', 'Instance', 'label_values(%s{job="$job"}, instance)' % m.buildInfo, multi=true),
      variable('comm', 'Command', 'label_values(%s{%s}, comm)' % [m.events, h], all=true, multi=true),
    ] + attributionVariables(m.events, h) + [
      topVariable,
    ],
    [
      row('Execs'),
      timeseries('Exec rate', 'Successful execs per second on each host, all commands together (of the selected units, containers and users).',
                 [target('sum by (instance) (%s)' % hrate(m.events, ', ' + attribution), '{{instance}}')], 'ops'),
      timeseries('Top commands by exec rate', 'The $top commands (comm, at most 15 bytes) with the most execs per second, over the selected hosts, units, containers and users. comm="__overflow_comms__" counts the commands beyond the exporter\'s series limit.',
                 [target('topk($top, sum by (comm) (%s))' % hrate(m.events, ', ' + attribution), '{{comm}}')], 'ops'),
      table('Top commands in the selected time range', 'Execs per command over the dashboard\'s time range, most first.',
            'topk($top, sum by (comm) (increase(%s{%s, %s}[$__range])))' % [m.events, h, attribution], 'Execs'),
      heatmap('Exec rate per command (1-second windows)', 'How many execs a command ran per 1-second window, for every window in which it ran: a burst of a command shows up high, a steady trickle low. Filter the commands with the comm variable.',
              'sum by (le) (%s)' % harate(m.commWindow + '_bucket')),
      heatmap('Host-wide exec rate (1-second windows)', 'How many execs the host ran per 1-second window, every window counted (quiet ones at 0).',
              'sum by (le) (%s)' % hrate(m.hostWindow + '_bucket')),
      row('Who runs them'),
      timeseries('Top units by exec rate', 'The $top systemd units with the most execs per second (of the selected commands). (none): execs in no unit, or every exec when --metrics.labels does not choose unit.',
                 [target('topk($top, %s)' % named('sum by (unit) (%s)' % harate(m.events), 'unit', '(none)'), '{{unit}}')], 'ops', w=8),
      timeseries('Top containers by exec rate', 'The $top containers (id as docker and podman print it; the pod uid on Kubernetes) with the most execs per second. (none): execs outside containers, or every exec when --metrics.labels does not choose container.',
                 [target('topk($top, %s)' % named('sum by (container, pod) (%s)' % harate(m.events), 'container', '(none)'), '{{container}} {{pod}}')], 'ops', w=8),
      timeseries('Execs by user', 'Execs per second by the real user that ran them (a name where the host knows it, else the uid). (none): --metrics.labels does not choose user.',
                 [target('topk($top, %s)' % named('sum by (user) (%s)' % harate(m.events), 'user', '(none)'), '{{user}}')], 'ops', w=8),
      row('Endings'),
      timeseries('Exits by status', 'Processes that exec\'d and ended, per second, by exit code or the signal that ended them (of the selected commands). Empty with --no-collector.exits.',
                 [target('sum by (status) (%s)' % harate(m.exits), '{{status}}')], 'ops', w=8),
      timeseries('Non-zero exits', 'The share of exits with a non-zero status or a signal, per host: a crash loop pushes it towards 100%.', [
        target('(sum by (instance) (%s) or 0 * sum by (instance) (%s)) / sum by (instance) (%s)' % [harate(m.exits, ', status!="0"'), harate(m.exits), harate(m.exits)], '{{instance}}'),
      ], 'percentunit', w=8),
      timeseries('Top crashing commands', 'The $top commands whose processes end by %s most often, per second: a crash loop of a buggy binary.' % std.join(', ', cfg.crashSignals),
                 [target('topk($top, sum by (comm, status) (%s))' % harate(m.exits, ', status=~' + crashSignals), '{{comm}} {{status}}')], 'ops', w=8),
      timeseries('Process lifetime', 'Quantiles of the lifetime of the processes that ended (of the selected commands), from the classic buckets of %s (1 ms to 1 day: a quantile is at best as precise as its bucket).' % m.lifetime,
                 quantiles(harate(m.lifetime + '_bucket')), 's', w=8),
      timeseries('Failed execs by errno', 'The $top commands with the most failed execve() calls per second, by errno (ENOENT: no such file; EACCES: no permission). No data: no exec failed, or collector.exec-failures is off (see Collectors).',
                 [target('topk($top, sum by (comm, errno) (%s))' % harate(m.failures), '{{comm}} {{errno}}')], 'ops', w=8) + {
        fieldConfig+: { defaults+: { noValue: 'no failed execs, or the collector is off' } },
      },
      stat('Collectors', 'Which collectors run on each host: exec (the exec counters), exits (exits and lifetimes), exec_failures (failed execs, where the kernel offers a cheap hook).',
           [target('%s{%s}' % [m.collectorEnabled, h], '{{instance}} {{collector}}', instant)], onOff, w=8),
      row('Exporter health'),
      stat('Up', 'Whether Prometheus could scrape the exporter.',
           [target('up{%s}' % h, '{{instance}}', instant)], up),
      timeseries('Lost, dropped and overflowed execs', 'Lost: a kernel perf ring was full (raise --bpf.ring-pages). Dropped: the queue to the aggregator was full (raise --queue.capacity). Overflowed: counted in comm="__overflow_comms__" because the comm series are at their limit (--comm.max-series). BPF output and decode errors should stay at 0.', [
        target(byInstance(m.lost), 'lost {{instance}}'),
        target(byInstance(m.dropped), 'dropped {{instance}}'),
        target(byInstance(m.overflow), 'overflowed {{instance}}'),
        target(byInstance(m.bpfOutputErrors), 'BPF output errors {{instance}}'),
        target(byInstance(m.decodeErrors), 'decode errors {{instance}}'),
      ], 'ops', w=10),
      timeseries('Queue depth', 'Execs waiting between the ring pollers and the aggregator, against the queue\'s capacity.', [
        target('max by (instance) (%s{%s})' % [m.queueDepth, h], 'depth {{instance}}'),
        target('max by (instance) (%s{%s})' % [m.queueCapacity, h], 'capacity {{instance}}'),
      ], 'short', w=10),
      timeseries('Series', 'Label combinations (comm and the labels of --metrics.labels) with a series of their own, against the limit (--metrics.max-series).', [
        target('max by (instance) (%s{%s})' % [m.series, h], 'series {{instance}}'),
        target('max by (instance) (%s{%s})' % [m.seriesLimit, h], 'limit {{instance}}'),
      ], 'short'),
      timeseries('BPF cost per exec', 'Time the BPF program spends per exec, from the kernel\'s program statistics. They are off by default: sysctl kernel.bpf_stats_enabled=1 turns them on (at a small cost per BPF program run); until then this panel is empty.',
                 [target('%s / %s' % [byInstance(m.bpfProgRunSeconds), byInstance(m.bpfProgRuns)], '{{instance}}')], 's'),
      timeseries('Exporter memory (RSS)', 'Resident memory of the exporter process (%s; needs collector.jvm, on by default). It stays flat once the comm series are made; steady growth is worth a look.' % m.processRss,
                 [target('max by (instance) (%s{%s})' % [m.processRss, h], '{{instance}}')], 'bytes'),
      timeseries('Exporter CPU', 'CPU the exporter process uses, in cores (%s; needs collector.jvm, on by default). Near 0 on a host that rarely execs; it grows with the exec rate and the scrapes.' % m.processCpu,
                 [target('sum by (instance) (rate(%s{%s}[$__rate_interval]))' % [m.processCpu, h], '{{instance}}')], 'percentunit'),
      stat('Config reload', 'Whether the last reload of the config file or the web config file worked; when it failed, the exporter runs on with the previous one.',
           [target('%s{%s}' % [m.configReloadSuccessful, h], '{{instance}}', instant)], reloadOk),
      stat('Config loaded', 'When the configuration in use was last loaded (the start counts).',
           [target('%s{%s} * 1000' % [m.configReloadTimestamp, h], '{{instance}}', instant)], { unit: 'dateTimeFromNow' }),
      timeseries('Attribution failures', 'Execs whose cgroup could not be resolved (it was gone, or not under the cgroup2 mount: unit and container empty) and uids with no user name (the number is shown). Series exist only when --metrics.labels chooses a cgroup label or user.', [
        target(byInstance(m.cgroupUnknown), 'unknown cgroup {{instance}}'),
        target(byInstance(m.userLookupFailures), 'user lookup failed {{instance}}'),
      ], 'ops', w=16),
    ],
  ),

  // --- the fleet: recorded series only -------------------------------------------------------
  local f = (if cluster != '' then '%s=~"$cluster", ' % cluster else '') + 'job=~"$job"',
  local byCluster = 'sum by (%s)' % std.join(', ', (if cluster != '' then [cluster] else []) + ['job']),
  local clusterLegend = (if cluster != '' then '{{%s}} ' % cluster else '') + '{{job}}',
  local fleetDashboard = dashboard(
    'exec-exporter-fleet', 'exec-exporter fleet',
    "Execs on every host of every exec-exporter job, from the recorded series of the mixin's rules (rules.yml): a regional Prometheus that evaluates them, or a global one that federates them, serves this dashboard at the same cost for any number of hosts. The unit, container and user variables filter their own panel only: each recorded series keeps one of those labels, never their combination with comm.",
    (if cluster != '' then [variable('cluster', 'Cluster', 'label_values(%s{%s}, %s)' % [r.jobRate, cfg.selector, cluster], all=true, multi=true)] else []) + [
      variable('job', 'Job', 'label_values(%s{%s}, job)' % [r.jobRate, (if cluster != '' then '%s=~"$cluster"' % cluster else cfg.selector)], all=true, multi=true),
      variable('comm', 'Command', 'label_values(%s{%s}, comm)' % [r.commRate, f], all=true, multi=true),
      variable('unit', 'Unit', 'label_values(%s{%s}, unit)' % [r.unitRate, f], all=true, multi=true),
      variable('container', 'Container', 'label_values(%s{%s}, container)' % [r.containerRate, f], all=true, multi=true),
      variable('user', 'User', 'label_values(%s{%s}, user)' % [r.userRate, f], all=true, multi=true),
      topVariable,
    ],
    [
      row('Execs in the fleet'),
      timeseries('Exec rate', 'Successful execs per second, all hosts of each job together.',
                 [target('%s (%s{%s})' % [byCluster, r.jobRate, f], clusterLegend)], 'ops'),
      timeseries('Top commands by exec rate', 'The $top commands with the most execs per second over all hosts. comm="__overflow_comms__" counts the commands beyond an exporter\'s series limit.',
                 [target('topk($top, sum by (comm) (%s{%s}))' % [r.commRate, f], '{{comm}}')], 'ops'),
      timeseries('Top hosts by exec rate', 'The $top hosts with the most execs per second.',
                 [target('topk($top, %s{%s})' % [r.instanceRate, f], '{{instance}}')], 'ops', w=8),
      heatmap('Host-wide exec rate (1-second windows)', 'How many execs a host ran per 1-second window, over every second of every host: the fleet\'s distribution of host exec rates.',
              'sum by (le) (%s{%s})' % [r.hostWindowBuckets, f]),
      heatmap('Exec rate per command (1-second windows)', 'How many execs a command ran per 1-second window on a host, over every host. Filter the commands with the comm variable.',
              'sum by (le) (%s{%s, comm=~"$comm"})' % [r.commWindowBuckets, f]),
      row('Who runs them'),
      timeseries('Top units by exec rate', 'The $top systemd units with the most execs per second over all hosts. (none): execs in no unit, or the exporters do not choose unit in --metrics.labels.',
                 [target('topk($top, %s)' % named('sum by (unit) (%s{%s, unit=~"$unit"})' % [r.unitRate, f], 'unit', '(none)'), '{{unit}}')], 'ops', w=8),
      timeseries('Top containers by exec rate', 'The $top containers with the most execs per second, from the %d busiest of each job that the rules record. (none): execs outside containers, or container not chosen.' % cfg.fleetTopContainers,
                 [target('topk($top, %s)' % named('sum by (container, pod) (%s{%s, container=~"$container"})' % [r.containerRate, f], 'container', '(none)'), '{{container}} {{pod}}')], 'ops', w=8),
      timeseries('Execs by user', 'Execs per second by user over all hosts. (none): the exporters do not choose user in --metrics.labels.',
                 [target('topk($top, %s)' % named('sum by (user) (%s{%s, user=~"$user"})' % [r.userRate, f], 'user', '(none)'), '{{user}}')], 'ops', w=8),
      row('Endings'),
      timeseries('Exits by status', 'Processes that exec\'d and ended, per second over all hosts, by exit code or signal (of the selected commands).',
                 [target('sum by (status) (%s{%s, comm=~"$comm"})' % [r.exits, f], '{{status}}')], 'ops', w=8),
      timeseries('Non-zero exits', 'The share of exits with a non-zero status or a signal, all hosts of each job together.', [
        target('(%(by)s (%(e)s{%(f)s, comm=~"$comm", status!="0"}) or 0 * %(by)s (%(e)s{%(f)s, comm=~"$comm"})) / %(by)s (%(e)s{%(f)s, comm=~"$comm"})' % { by: byCluster, e: r.exits, f: f }, clusterLegend),
      ], 'percentunit', w=8),
      timeseries('Top crashing commands', 'The $top commands whose processes end by %s most often, per second over all hosts. The alerts name the hosts.' % std.join(', ', cfg.crashSignals),
                 [target('topk($top, sum by (comm, status) (%s{%s, status=~%s}))' % [r.exits, f, crashSignals], '{{comm}} {{status}}')], 'ops', w=8),
      timeseries('Process lifetime', 'Quantiles of the lifetime of the processes that ended on all hosts (of the selected commands), from the classic buckets.',
                 quantiles('%s{%s, comm=~"$comm"}' % [r.lifetimeBuckets, f]), 's', w=8),
      timeseries('Failed execs by errno', 'The $top commands with the most failed execve() calls per second over all hosts, by errno. No data: no exec failed, or no exporter runs the exec_failures collector (see Collectors).',
                 [target('topk($top, sum by (comm, errno) (%s{%s, comm=~"$comm"}))' % [r.failures, f], '{{comm}} {{errno}}')], 'ops', w=8) + {
        fieldConfig+: { defaults+: { noValue: 'no failed execs, or the collector is off' } },
      },
      stat('Collectors', 'Hosts that run each collector (exec, exits, exec_failures), against the hosts up.', [
        target('sum by (collector) (%s{%s})' % [r.collectors, f], '{{collector}}', instant),
        target('sum(%s{%s})' % [r.up, f], 'hosts up', instant),
      ], { unit: 'short', decimals: 0, thresholds: { mode: 'absolute', steps: [{ color: 'blue', value: null }] } }, w=8),
      row('Exporters'),
      stat('Exporters up', 'Targets that Prometheus scraped at the last scrape, of all targets.', [
        target('sum(%s{%s})' % [r.up, f], 'up', instant),
        target('sum(%s{%s})' % [r.targets, f], 'targets', instant),
      ], { unit: 'short', decimals: 0, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] } }),
      timeseries('Lost, dropped and overflowed execs', 'Execs per second that went uncounted (lost in a kernel ring, dropped from a full queue) or were counted in comm="__overflow_comms__", all hosts of each job together. The alerts name the hosts.', [
        target('%s (%s{%s})' % [byCluster, r.lost, f], 'lost ' + clusterLegend),
        target('%s (%s{%s})' % [byCluster, r.dropped, f], 'dropped ' + clusterLegend),
        target('%s (%s{%s})' % [byCluster, r.overflow, f], 'overflowed ' + clusterLegend),
      ], 'ops', w=16),
      stat('Config reloads failing', 'Exporters whose last configuration reload failed: they run on with the previous one. The alert names them.', [
        target('sum(%s{%s}) - sum(%s{%s})' % [r.configReloads, f, r.configReloadsOk, f], 'failing', instant),
      ], { unit: 'short', decimals: 0, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] } }),
    ],
  ),

  grafanaDashboards+:: {
    'exec-exporter.json': hostDashboard,
    'exec-exporter-fleet.json': fleetDashboard,
  },
}
