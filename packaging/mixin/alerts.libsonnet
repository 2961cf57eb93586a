// Alerts, in the style of the monitoring mixins: CamelCase names, a severity label, summary,
// description and runbook_url annotations. The runbook of an alert is the README heading of its name.
{
  local cfg = $._config,
  local m = cfg.metrics,
  local sel(metric, extra='') = '%s{%s%s}' % [metric, cfg.selector, extra],
  // Alerts about what runs on a host name the host and the comm: the attribution labels (unit,
  // container, user) are summed away, so one crash-looping command is one alert, however many units
  // run it; the runbook says how to find them.
  local byComm(labels=[]) = 'sum by (%s)' % std.join(', ', (if cfg.clusterLabel != '' then [cfg.clusterLabel] else []) + ['job', 'instance', 'comm'] + labels),
  local anyOf(values) = '"%s"' % std.join('|', values),
  // How much a counter grew in the window, counting the series that appeared within it from 0: the
  // exporter makes a series at its first event (the first SIGSEGV of a comm), which increase()
  // alone never sees. Only on targets scraped before the window: a target new to Prometheus shows
  // counts of any age.
  local increaseFromZero(series, window) = '((%(s)s unless %(s)s offset %(w)s) and on (job, instance) %(up)s offset %(w)s) or increase(%(s)s[%(w)s])' % {
    s: series,
    w: window,
    up: sel('up'),
  },
  local exits(extra='') = sel(m.exits, extra),
  local failedExits = exits(', status!="0", comm!~"%s"' % cfg.crashLoopIgnoredComms),
  local failures = sel(m.failures, ', errno=~%s' % anyOf(cfg.failedExecErrnos)),
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
        alert('ExecExporterSeriesAtLimit', '%s >= %s' % [sel(m.series), sel(m.seriesLimit)], {
          summary: 'exec-exporter has as many series as it may have.',
          description: 'exec-exporter on {{ $labels.instance }} has {{ $value }} series (label combinations), its limit: execs of new combinations count in the overflow series (every chosen label "__overflow_comms__") until idle series expire.',
        }, cfg.seriesAtLimitFor),
        // The exporter runs on with its previous configuration; the next restart would fail.
        alert('ExecExporterConfigReloadFailed', '%s == 0' % sel(m.configReloadSuccessful), {
          summary: "exec-exporter's last configuration reload failed.",
          description: 'The last configuration reload of exec-exporter on {{ $labels.instance }} failed, %s ago or more: it runs on with the previous configuration, and a restart would fail on the same error.' % cfg.configReloadFailedFor,
        }, cfg.configReloadFailedFor),
        // The threshold is far above what a quiet server runs and far below what a fork/exec loop
        // reaches (thousands per second): tune it to your hosts. Reads the recorded per-host rate.
        alert('ExecStorm', '%s > %d' % [sel($.recorded.instanceRate), cfg.execStormRate], {
          summary: 'Execs on a host run far above normal.',
          description: '{{ $labels.instance }} has run {{ $value | humanize }} execs per second for %s: a cron storm, a crash-looping helper or a fork/exec loop.' % cfg.execStormFor,
        }, cfg.execStormFor),
        // The value is the failed exits per second; the second condition keeps the comms where they
        // are most of the exits.
        alert('ExecCrashLoop', '%(failed)s > %(rate)s\nand\n%(failed)s / %(all)s > %(ratio)s' % {
          failed: '%s (rate(%s[%s]))' % [byComm(), failedExits, cfg.rateInterval],
          all: '%s (rate(%s[%s]))' % [byComm(), exits(), cfg.rateInterval],
          rate: '%g' % cfg.crashLoopRate,
          ratio: '%g' % cfg.crashLoopRatio,
        }, {
          summary: 'A command keeps failing on a host.',
          description: '{{ $labels.comm }} on {{ $labels.instance }} has ended with a non-zero status or a signal {{ $value | humanize }} times per second, more than %d%% of its exits, for %s: a crash loop.' % [cfg.crashLoopRatio * 100, cfg.crashLoopFor],
        }, cfg.crashLoopFor),
        alert('ExecProcessesCrashing', '%s (%s) > %d' % [
          byComm(['status']), increaseFromZero(exits(', status=~%s' % anyOf(cfg.crashSignals)), cfg.crashSignalWindow), cfg.crashSignalCount,
        ], {
          summary: 'Processes of a command crash on a host.',
          description: '{{ $value | humanize }} processes of {{ $labels.comm }} on {{ $labels.instance }} ended by {{ $labels.status }} in the last %s.' % cfg.crashSignalWindow,
        }),
        // No series where collector.exec-failures is off, hence no alert there. The rise is against
        // the day before; a comm with no failures then has no baseline (`unless` keeps it).
        alert('ExecFailuresRising', '%(now)s > %(rate)s\nunless\n%(now)s <= %(rise)s * %(before)s' % {
          now: '%s (rate(%s[%s]))' % [byComm(['errno']), failures, cfg.rateInterval],
          before: '%s (rate(%s[1d] offset %s))' % [byComm(['errno']), failures, cfg.rateInterval],
          rate: '%g' % cfg.failedExecRate,
          rise: cfg.failedExecRise,
        }, {
          summary: 'Execs of a missing or forbidden file rise on a host.',
          description: '{{ $labels.comm }} on {{ $labels.instance }} fails {{ $value | humanize }} execs per second with {{ $labels.errno }}, more than %s times its rate of the day before, for %s.' % [cfg.failedExecRise, cfg.failedExecFor],
        }, cfg.failedExecFor),
      ],
    }],
  },
}
