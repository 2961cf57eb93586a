package org.execexporter.http;

import org.execexporter.base.BuildInfo;

/** The page at /: what this is, which version, and where the metrics are. */
final class LandingPage {
    private LandingPage() {}

    static String html(BuildInfo build, String telemetryPath) {
        String path = escape(telemetryPath);
        return "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>exec-exporter</title></head>\n<body>\n"
                + "<h1>exec-exporter</h1>\n"
                + "<p>Counts every exec() on this host. Version " + escape(build.version())
                + " (revision " + escape(build.revision()) + ").</p>\n"
                + "<ul>\n<li><a href=\"" + path + "\">Metrics</a></li>\n"
                + "<li><a href=\"/-/healthy\">Health</a></li>\n<li><a href=\"/-/ready\">Readiness</a></li>\n</ul>\n"
                + "</body>\n</html>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
