package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScrapeHandlerTest {
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            NULL                                                                   | text
            */*                                                                    | text
            text/plain                                                             | text
            text/plain;version=0.0.4;q=1,*/*;q=0.1                                 | text
            application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | openmetrics
            application/openmetrics-text; version=0.0.1                           | openmetrics
            application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1 | protobuf
            application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.1 | protobuf
            application/vnd.google.protobuf                                        | text
            """)
    void negotiatesTheFormat(String accept, String format) {
        String expected = switch (format) {
            case "text" -> TEXT;
            case "openmetrics" -> OPEN_METRICS;
            default -> PROTOBUF;
        };
        assertThat(ScrapeHandler.negotiate(accept).getContentType()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            NULL                  | false
            identity              | false
            gzip                  | true
            GZIP                  | true
            deflate, gzip;q=0.5   | true
            gzip;q=0              | false
            gzip; q=0.0, br       | false
            *                     | true
            x-gzip                | false
            """)
    void acceptsGzipUnlessRefused(String header, boolean gzip) {
        assertThat(ScrapeHandler.acceptsGzip(header)).isEqualTo(gzip);
    }
}
