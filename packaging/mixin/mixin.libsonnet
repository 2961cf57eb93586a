// exec-exporter's monitoring mixin: recording rules, alerts and Grafana dashboards generated from
// the parameters in config.libsonnet. build.jsonnet writes the files the package ships.
(import 'config.libsonnet') +
(import 'rules.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards.libsonnet')
