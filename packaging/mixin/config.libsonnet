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
    commSeriesAtLimitFor: '15m',
    lossWindow: '10m',

    // Where the runbooks are: the README's "Alerts and what to do" section, one heading per alert.
    // The default is the copy the package installs; point it at your own copy (a Git host's URL of
    // README.md, a wiki) so that the link opens from Alertmanager and Grafana.
    runbookURLBase: 'file:///usr/share/doc/exec-exporter/README.md',

    // The exporter's metric names: the one place to change when a name changes.
    metrics: {
      events: 'exec_events_total',  // counter {comm}
      commWindow: 'exec_comm_window_events',  // histogram {comm}: execs of a comm per 1-second window
      hostWindow: 'exec_host_window_events',  // histogram: execs on the host per 1-second window
      exits: 'exec_exits_total',  // counter {comm, status}
      lifetime: 'exec_process_lifetime_seconds',  // histogram {comm}
      failures: 'exec_failures_total',  // counter {comm, errno}
      lost: 'exec_exporter_lost_events_total',
      dropped: 'exec_exporter_dropped_events_total',
      overflow: 'exec_exporter_overflow_events_total',
      bpfOutputErrors: 'exec_exporter_bpf_output_errors_total',
      decodeErrors: 'exec_exporter_decode_errors_total',
      queueDepth: 'exec_exporter_queue_depth',
      queueCapacity: 'exec_exporter_queue_capacity',
      commSeries: 'exec_exporter_comm_series',
      commSeriesLimit: 'exec_exporter_comm_series_limit',
      bpfProgRuns: 'exec_exporter_bpf_prog_runs_total',
      bpfProgRunSeconds: 'exec_exporter_bpf_prog_run_seconds_total',
      buildInfo: 'exec_exporter_build_info',
      processRss: 'process_resident_memory_bytes',  // client_java's process metrics (collector.jvm)
      processCpu: 'process_cpu_seconds_total',
    },

    // Grafana.
    dashboardTags: ['exec-exporter', 'bpf', 'linux'],
    dashboardRefresh: '30s',
    dashboardTimeFrom: 'now-1h',
  },
}
