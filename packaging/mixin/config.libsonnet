// The mixin's parameters: the one place to set the job, the cluster label, the windows, the
// thresholds and the exporter's metric names. Override them in your own jsonnet:
//   (import 'mixin.libsonnet') + { _config+:: { jobName: 'node-exec', clusterLabel: 'region' } }
{
  _config+:: {
    // The scrape job of the exporters, and the selector every rule, alert and dashboard uses.
    jobName: 'exec-exporter',
    selector: 'job="%s"' % self.jobName,

    // A label that tells clusters (regions, data centres) apart. Every aggregation keeps it, and the
    // fleet dashboard has a variable for it. Set it as an external label of each regional Prometheus
    // (it then reaches the global one through federation) or as a target label. '' for none.
    clusterLabel: 'cluster',

    // The window of every recorded rate: at least four scrape intervals (15 s scrapes: 1m or more).
    rateInterval: '5m',

    // Thresholds of the alerts.
    execStormRate: 200,  // execs per second on one host...
    execStormFor: '10m',  // ...for this long
    exporterDownFor: '5m',
    seriesAtLimitFor: '15m',
    lossWindow: '10m',
    configReloadFailedFor: '5m',
    // A crash loop: a comm on a host whose exits are mostly failures (a non-zero status or a signal),
    // more than crashLoopRate per second, for crashLoopFor. Commands whose non-zero status means "no"
    // rather than "failed" (grep without a match, diff of two different files) are left out.
    crashLoopRatio: 0.5,
    crashLoopRate: 0.2,
    crashLoopFor: '15m',
    crashLoopIgnoredComms: 'grep|egrep|fgrep|pgrep|diff|cmp|test|false',
    // Processes ended by a signal that means a bug (a bad address, an assertion, a bad instruction):
    // more than crashSignalCount of one comm on a host within crashSignalWindow.
    crashSignals: ['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE'],
    crashSignalCount: 2,
    crashSignalWindow: '15m',
    // Failed execs of a missing or forbidden file (ENOENT, EACCES) per comm on a host: above
    // failedExecRate per second, and above failedExecRise times the comm's rate over the day before
    // (PATH searches fail with ENOENT all day long; a steady rate of them is normal), for failedExecFor.
    failedExecErrnos: ['ENOENT', 'EACCES'],
    failedExecRate: 0.5,
    failedExecRise: 3,
    failedExecFor: '15m',

    // Where the runbooks are: the README's "Alerts and what to do" section, one heading per alert.
    // The default is the copy the package installs; point it at your own copy (a Git host's URL of
    // README.md, a wiki) so that the link opens from Alertmanager and Grafana.
    runbookURLBase: 'file:///usr/share/doc/exec-exporter/README.md',

    // The exporter's metric names: the one place to change when a name changes.
    // The series of exec_events_total, exec_comm_window_events, exec_exits_total,
    // exec_process_lifetime_seconds and exec_failures_total carry comm and the attribution labels the
    // operator chose (--metrics.labels); a label not chosen is absent.
    metrics: {
      events: 'exec_events_total',  // counter {comm, attribution}
      commWindow: 'exec_comm_window_events',  // histogram {comm, attribution}: execs per 1-second window
      hostWindow: 'exec_host_window_events',  // histogram: execs on the host per 1-second window
      exits: 'exec_exits_total',  // counter {comm, attribution, status}
      lifetime: 'exec_process_lifetime_seconds',  // histogram {comm, attribution}
      failures: 'exec_failures_total',  // counter {comm, attribution, errno}
      lost: 'exec_exporter_lost_events_total',
      dropped: 'exec_exporter_dropped_events_total',
      overflow: 'exec_exporter_overflow_events_total',
      bpfOutputErrors: 'exec_exporter_bpf_output_errors_total',
      decodeErrors: 'exec_exporter_decode_errors_total',
      queueDepth: 'exec_exporter_queue_depth',
      queueCapacity: 'exec_exporter_queue_capacity',
      series: 'exec_exporter_series',  // label combinations with a series now
      seriesLimit: 'exec_exporter_series_limit',  // --metrics.max-series
      collectorEnabled: 'exec_exporter_collector_enabled',  // gauge {collector}: 1 running, 0 not
      cgroupUnknown: 'exec_exporter_cgroup_unknown_total',
      userLookupFailures: 'exec_exporter_user_lookup_failures_total',
      configReloadSuccessful: 'exec_exporter_config_last_reload_successful',
      configReloadTimestamp: 'exec_exporter_config_last_reload_success_timestamp_seconds',
      bpfProgRuns: 'exec_exporter_bpf_prog_runs_total',
      bpfProgRunSeconds: 'exec_exporter_bpf_prog_run_seconds_total',
      buildInfo: 'exec_exporter_build_info',
      processRss: 'process_resident_memory_bytes',  // client_java's process metrics (collector.jvm)
      processCpu: 'process_cpu_seconds_total',
    },

    // The fleet's top containers: container ids are unique per host, so the recorded series keep
    // only the busiest ones of each job (and cluster), not one per container of the fleet.
    fleetTopContainers: 20,

    // Grafana.
    dashboardTags: ['exec-exporter', 'bpf', 'linux'],
    dashboardRefresh: '30s',
    dashboardTimeFrom: 'now-1h',
  },
}
