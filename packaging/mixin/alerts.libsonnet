// Alerts, in the style of the monitoring mixins: CamelCase names, a severity label, summary,
// description and runbook_url annotations. The runbook of an alert is the README heading of its name.
{
  local cfg = $._config,
  local m = cfg.metrics,
  local sel(metric) = '%s{%s}' % [metric, cfg.selector],
  local alert(name, expr, annotations, forDuration=null) = {
    alert: name,
    expr: expr,
    [if forDuration != null then 'for']: forDuration,
    labels: { severity: 'warning' },
    annotations: annotations { runbook_url: '%s#%s' % [cfg.runbookURLBase, std.asciiLower(name)] },
  },

  prometheusAlerts+:: {
    groups+: [{
      name: 'exec-exporter',
      rules: [
        alert('ExecExporterDown', '%s == 0' % sel('up'), {
          summary: 'exec-exporter is down.',
          description: 'Prometheus has not scraped exec-exporter on {{ $labels.instance }} for %s: execs on that host go uncounted.' % cfg.exporterDownFor,
        }, cfg.exporterDownFor),
        // Lost in the kernel: a per-CPU perf ring was full when an exec happened.
        alert('ExecExporterEventsLost', 'increase(%s[%s]) > 0' % [sel(m.lost), cfg.lossWindow], {
          summary: "exec-exporter loses execs in the kernel's perf rings.",
          description: 'exec-exporter on {{ $labels.instance }} lost {{ $value | humanize }} execs in the last %s because a perf ring was full: exec counts there are too low.' % cfg.lossWindow,
        }),
        // Dropped in user space: the queue from the ring pollers to the aggregator was full.
        alert('ExecExporterEventsDropped', 'increase(%s[%s]) > 0' % [sel(m.dropped), cfg.lossWindow], {
          summary: 'exec-exporter drops execs because its queue is full.',
          description: 'exec-exporter on {{ $labels.instance }} dropped {{ $value | humanize }} execs in the last %s because its queue was full: exec counts there are too low.' % cfg.lossWindow,
        }),
        alert('ExecExporterCommSeriesAtLimit', '%s >= %s' % [sel(m.commSeries), sel(m.commSeriesLimit)], {
          summary: 'exec-exporter has as many comm series as it may have.',
          description: 'exec-exporter on {{ $labels.instance }} has {{ $value }} comm series, its limit: execs of new commands count in comm="__overflow_comms__" until idle series expire.',
        }, cfg.commSeriesAtLimitFor),
        // The threshold is far above what a quiet server runs and far below what a fork/exec loop
        // reaches (thousands per second): tune it to your hosts. Reads the recorded per-host rate.
        alert('ExecStorm', '%s > %d' % [sel($.recorded.instanceRate), cfg.execStormRate], {
          summary: 'Execs on a host run far above normal.',
          description: '{{ $labels.instance }} has run {{ $value | humanize }} execs per second for %s: a cron storm, a crash-looping helper or a fork/exec loop.' % cfg.execStormFor,
        }, cfg.execStormFor),
      ],
    }],
  },
}
