// The files the package ships, generated from the mixin: `jsonnet -S -m packaging build.jsonnet`
// (build.sh). Keys are paths under packaging/.
local mixin = import 'mixin.libsonnet';
local cfg = mixin._config;
local header(what) =
  '# %s\n# Generated from packaging/mixin (config.libsonnet sets the job, the cluster label and the names):\n# edit the mixin and run packaging/mixin/build.sh, not this file.\n' % what;
local yaml(what, value) = header(what) + std.manifestYamlDoc(value, indent_array_in_object=true, quote_keys=false);
local clusterLabels(value) = if cfg.clusterLabel != '' then { external_labels: { [cfg.clusterLabel]: value } } else {};

{
  'prometheus/rules.yml': yaml('Recording rules of exec-exporter: load them where the exporters are scraped, and where the fleet is viewed.', mixin.prometheusRules),
  'prometheus/alerts.yml': yaml('Alerts of exec-exporter: load them where the exporters are scraped. Each runbook_url opens the README section of the alert.', mixin.prometheusAlerts),
  'prometheus/scrape.yml': yaml('A Prometheus that scrapes exec-exporters (one per region or cluster): merge the job into your prometheus.yml, list your hosts, and put rules.yml and alerts.yml beside it.', {
    global: { scrape_interval: '15s', evaluation_interval: '15s' } + clusterLabels('region-1'),
    rule_files: ['rules.yml', 'alerts.yml'],
    scrape_configs: [{
      job_name: cfg.jobName,
      metrics_path: '/metrics',
      static_configs: [{ targets: ['host1.example.org:10135', 'host2.example.org:10135'] }],
    }],
  }),
  'prometheus/federate.yml': yaml('A global Prometheus that federates only the recorded aggregates of the regional ones (scrape.yml) and evaluates the fleet rules of rules.yml over them.', {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: ['rules.yml'],
    scrape_configs: [{
      job_name: cfg.jobName + '-federate',
      honor_labels: true,
      metrics_path: '/federate',
      params: { 'match[]': ['{__name__="%s"}' % name for name in mixin.federated] },
      static_configs: [{ targets: ['prometheus-region-1.example.org:9090', 'prometheus-region-2.example.org:9090'] }],
    }],
  }),
} + {
  ['grafana/' + name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
  for name in std.objectFields(mixin.grafanaDashboards)
}
