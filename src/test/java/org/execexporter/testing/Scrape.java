package org.execexporter.testing;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** The samples of a Prometheus text-format scrape: series (name and unescaped labels) to value. */
public final class Scrape {
    public final Map<String, Double> samples = new LinkedHashMap<>();
    public final String text;

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** GETs {@code path} on 127.0.0.1:{@code port}: answered 200, with a body of valid UTF-8. */
    public static Scrape fetch(int port, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = Http.get(port, path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode());
        }
        return new Scrape(Http.utf8(r.body()));
    }

    /** A sample without labels; absent is an error. */
    public double value(String name) {
        Double v = samples.get(name);
        if (v == null) {
            throw new AssertionError("no sample " + name + " in the scrape");
        }
        return v;
    }

    /**
     * The sum of the samples of {@code metric} whose labels include every one of {@code labels}
     * (values as the label shows them, before the exposition format's escaping).
     */
    public double sum(String metric, Map<String, String> labels) {
        double sum = 0;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String key = e.getKey();
            if (key.equals(metric) ? labels.isEmpty() : key.startsWith(metric + "{")
                    && labelsOf(key).entrySet().containsAll(labels.entrySet())) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** The labels of a sample's name, {@code name{a="x",b="y\"z"}}, unescaped. */
    public static Map<String, String> labelsOf(String sample) {
        Map<String, String> labels = new LinkedHashMap<>();
        int i = sample.indexOf('{');
        if (i < 0) {
            return labels;
        }
        i++;
        while (i < sample.length() && sample.charAt(i) != '}') {
            int eq = sample.indexOf('=', i);
            String name = sample.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (sample.charAt(j) != '"') {
                char c = sample.charAt(j);
                if (c == '\\') {
                    char next = sample.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
                j++;
            }
            labels.put(name, value.toString());
            i = j + 1;
            if (i < sample.length() && sample.charAt(i) == ',') {
                i++;
            }
        }
        return labels;
    }

    /** exec_events_total of a comm label value (as NameEscaper renders it), 0 if absent. */
    public long execs(String commLabel) {
        Double v = samples.get("exec_events_total{comm=\"" + escapeLabel(commLabel) + "\"}");
        return v == null ? 0 : v.longValue();
    }

    /**
     * Execs, exits and failed execs the BPF programs saw that this scrape does not account for as counted (in any
     * series), filtered, dropped, lost or malformed: 0 whenever nothing is on its way through the
     * pipeline. Exits share the rings and the queue with execs, so loss and drops count both kinds.
     */
    public double unaccounted() {
        double counted = samples.entrySet().stream().filter(e -> e.getKey().startsWith("exec_events_total{")
                        || e.getKey().startsWith("exec_exits_total{") || e.getKey().startsWith("exec_failures_total{"))
                .mapToDouble(Map.Entry::getValue).sum();
        return value("exec_exporter_bpf_execs_seen_total") + value("exec_exporter_bpf_exits_seen_total")
                + value("exec_exporter_bpf_failures_seen_total") - counted
                - value("exec_exporter_filtered_events_total")
                - value("exec_exporter_dropped_events_total") - value("exec_exporter_lost_events_total")
                - value("exec_exporter_decode_errors_total");
    }

    /** Series of one metric name. */
    public long count(String prefix) {
        return samples.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** The text format's escaping of a label value: backslash, double quote, newline. */
    public static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
