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
  local hostDashboard = dashboard(
    'exec-exporter', 'exec-exporter',
    "Every exec() on a host, traced with BPF by exec-exporter: exec rates per command, exec-rate histograms and the exporter's health. For many hosts at once, see the fleet dashboard.",
    [
      variable('job', 'Job', 'label_values(%s{%s}, job)' % [m.buildInfo, cfg.selector]),
      // No All: a query over every host's raw series is what the fleet dashboard exists to avoid.
      variable('instance', 'Instance', 'label_values(%s{job="$job"}, instance)' % m.buildInfo, multi=true),
      variable('comm', 'Command', 'label_values(%s{%s}, comm)' % [m.events, h], all=true, multi=true),
      topVariable,
    ],
    [
      row('Execs'),
      timeseries('Exec rate', 'Successful execs per second on each host, all commands together.',
                 [target(byInstance(m.events), '{{instance}}')], 'ops'),
      timeseries('Top commands by exec rate', 'The $top commands (comm, at most 15 bytes) with the most execs per second, over the selected hosts. comm="__overflow_comms__" counts the commands beyond the exporter\'s series limit.',
                 [target('topk($top, sum by (comm) (%s))' % hrate(m.events), '{{comm}}')], 'ops'),
      table('Top commands in the selected time range', 'Execs per command over the dashboard\'s time range, most first.',
            'topk($top, sum by (comm) (increase(%s{%s}[$__range])))' % [m.events, h], 'Execs'),
      heatmap('Exec rate per command (1-second windows)', 'How many execs a command ran per 1-second window, for every window in which it ran: a burst of a command shows up high, a steady trickle low. Filter the commands with the comm variable.',
              'sum by (le) (%s)' % hrate(m.commWindow + '_bucket', ', comm=~"$comm"')),
      heatmap('Host-wide exec rate (1-second windows)', 'How many execs the host ran per 1-second window, every window counted (quiet ones at 0).',
              'sum by (le) (%s)' % hrate(m.hostWindow + '_bucket')),
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
      timeseries('Comm series', 'Commands with a series of their own, against the limit (--comm.max-series).', [
        target('max by (instance) (%s{%s})' % [m.commSeries, h], 'series {{instance}}'),
        target('max by (instance) (%s{%s})' % [m.commSeriesLimit, h], 'limit {{instance}}'),
      ], 'short'),
      timeseries('BPF cost per exec', 'Time the BPF program spends per exec, from the kernel\'s program statistics. They are off by default: sysctl kernel.bpf_stats_enabled=1 turns them on (at a small cost per BPF program run); until then this panel is empty.',
                 [target('%s / %s' % [byInstance(m.bpfProgRunSeconds), byInstance(m.bpfProgRuns)], '{{instance}}')], 's'),
      timeseries('Exporter memory (RSS)', 'Resident memory of the exporter process (%s; needs collector.jvm, on by default). It stays flat once the comm series are made; steady growth is worth a look.' % m.processRss,
                 [target('max by (instance) (%s{%s})' % [m.processRss, h], '{{instance}}')], 'bytes'),
      timeseries('Exporter CPU', 'CPU the exporter process uses, in cores (%s; needs collector.jvm, on by default). Near 0 on a host that rarely execs; it grows with the exec rate and the scrapes.' % m.processCpu,
                 [target('sum by (instance) (rate(%s{%s}[$__rate_interval]))' % [m.processCpu, h], '{{instance}}')], 'percentunit'),
    ],
  ),

  // --- the fleet: recorded series only -------------------------------------------------------
  local f = (if cluster != '' then '%s=~"$cluster", ' % cluster else '') + 'job=~"$job"',
  local byCluster = 'sum by (%s)' % std.join(', ', (if cluster != '' then [cluster] else []) + ['job']),
  local clusterLegend = (if cluster != '' then '{{%s}} ' % cluster else '') + '{{job}}',
  local fleetDashboard = dashboard(
    'exec-exporter-fleet', 'exec-exporter fleet',
    "Execs on every host of every exec-exporter job, from the recorded series of the mixin's rules (rules.yml): a regional Prometheus that evaluates them, or a global one that federates them, serves this dashboard at the same cost for any number of hosts.",
    (if cluster != '' then [variable('cluster', 'Cluster', 'label_values(%s{%s}, %s)' % [r.jobRate, cfg.selector, cluster], all=true, multi=true)] else []) + [
      variable('job', 'Job', 'label_values(%s{%s}, job)' % [r.jobRate, (if cluster != '' then '%s=~"$cluster"' % cluster else cfg.selector)], all=true, multi=true),
      variable('comm', 'Command', 'label_values(%s{%s}, comm)' % [r.commRate, f], all=true, multi=true),
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
      row('Exporters'),
      stat('Exporters up', 'Targets that Prometheus scraped at the last scrape, of all targets.', [
        target('sum(%s{%s})' % [r.up, f], 'up', instant),
        target('sum(%s{%s})' % [r.targets, f], 'targets', instant),
      ], { unit: 'short', decimals: 0, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] } }),
      timeseries('Lost, dropped and overflowed execs', 'Execs per second that went uncounted (lost in a kernel ring, dropped from a full queue) or were counted in comm="__overflow_comms__", all hosts of each job together. The alerts name the hosts.', [
        target('%s (%s{%s})' % [byCluster, r.lost, f], 'lost ' + clusterLegend),
        target('%s (%s{%s})' % [byCluster, r.dropped, f], 'dropped ' + clusterLegend),
        target('%s (%s{%s})' % [byCluster, r.overflow, f], 'overflowed ' + clusterLegend),
      ], 'ops', w=20),
    ],
  ),

  grafanaDashboards+:: {
    'exec-exporter.json': hostDashboard,
    'exec-exporter-fleet.json': fleetDashboard,
  },
}
