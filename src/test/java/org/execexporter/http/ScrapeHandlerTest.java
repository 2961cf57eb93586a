package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScrapeHandlerTest {
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            NULL                                                                   | text
            */*                                                                    | text
            text/plain                                                             | text
            text/plain;version=0.0.4;q=1,*/*;q=0.1                                 | text
            application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | openmetrics
            application/openmetrics-text; version=0.0.1                           | openmetrics
            """)
    void negotiatesTheFormat(String accept, String format) {
        assertThat(ScrapeHandler.negotiate(accept)).isEqualTo(format.equals("text") ? TEXT : OPEN_METRICS);
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
