package org.execexporter.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;

/**
 * /metrics: the registry's exposition in the format the Accept header asks for: the Prometheus
 * protobuf format (the only one that carries native histograms), OpenMetrics, or the Prometheus
 * text format 0.0.4 when it asks for neither; gzip when Accept-Encoding allows it. HEAD gets the
 * same headers as GET, Content-Length included, and no body. The scrape reads
 * values already counted, synchronously; nothing is computed per scrape beyond formatting.
 *
 * <p>The body is buffered whole before it is sent, so a scrape that fails is a 500, never a cut
 * 200. The buffer is kept for the next scrape: at 1,000 comm series a body is over 1 MB, and
 * growing a fresh buffer to that size and copying it out was a third of what a scrape allocated
 * (JFR, bench/RESULTS.md).
 */
final class ScrapeHandler implements Handler {
    /** client_java's writers, as configured by default: no _created series, exemplars on no counter. */
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** A larger buffer (thousands of series) is dropped after its scrape rather than held for good. */
    static final int MAX_KEPT_BUFFER = 4 * 1024 * 1024;

    private final PrometheusMeterRegistry registry;
    /** One buffer kept between scrapes; a concurrent scrape makes its own. */
    private final AtomicReference<Body> spare = new AtomicReference<>();

    ScrapeHandler(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** The writer to answer an Accept header with: its getContentType() is the answer's. */
    static ExpositionFormatWriter negotiate(String accept) {
        return FORMATS.findWriter(accept);
    }

    /** True if an Accept-Encoding header allows gzip (and does not give it q=0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] params = part.trim().split(";");
            String coding = params[0].trim();
            if (!coding.equalsIgnoreCase("gzip") && !coding.equals("*")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim().replace(" ", "");
                if (p.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(p.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true;
                    }
                }
            }
            if (!refused) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void handle(Context ctx) throws IOException {
        ExpositionFormatWriter writer = negotiate(ctx.header("Accept"));
        boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
        Body body = spare.getAndSet(null);
        if (body == null) {
            body = new Body();
        }
        try {
            body.reset();
            try (OutputStream out = gzip ? new GZIPOutputStream(body, 8192) : body) {
                writer.write(out, registry.getPrometheusRegistry().scrape());
            }
            ctx.header("Vary", "Accept, Accept-Encoding");
            if (gzip) {
                ctx.header("Content-Encoding", "gzip");
            }
            ctx.contentType(writer.getContentType());
            ctx.res().setContentLength(body.size());
            body.writeTo(ctx.outputStream()); // written here, so the buffer is free again on return
        } finally {
            if (body.capacity() <= MAX_KEPT_BUFFER) {
                spare.set(body);
            }
        }
    }

    /** A byte buffer whose close() keeps it usable (GZIPOutputStream closes what it wraps). */
    static final class Body extends ByteArrayOutputStream {
        Body() {
            super(INITIAL_BUFFER);
        }

        int capacity() {
            return buf.length;
        }

        @Override
        public void close() {
            // nothing to release; the buffer is reused
        }
    }
}
