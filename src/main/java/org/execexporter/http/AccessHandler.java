package org.execexporter.http;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;

/**
 * In front of every path, in this order: the web config's rate limit (429), the configured
 * response headers, the client certificate's allowed names (403), basic auth (401 with
 * WWW-Authenticate; 429 while the checks of uncached passwords are all busy), then the limit on
 * requests in flight (over it: 503 at once, never queued). Authentication comes before the limit
 * so that failing clients never take a slot from authenticated ones; what failing checks may cost
 * is bounded by {@link BasicAuth}. A request holds its slot until its response is written, so
 * clients that never read count against the limit until the idle timeout closes them. The web
 * config is taken from its source on each request: a changed file applies to the next one.
 */
final class AccessHandler extends HandlerWrapper {
    private final Semaphore inFlight;
    private final int maxRequests;
    private final WebConfigSource web;
    private volatile WebRules rules;

    /** @param maxRequests 0 for no limit */
    AccessHandler(int maxRequests, WebConfigSource web) {
        this.maxRequests = maxRequests;
        this.inFlight = maxRequests > 0 ? new Semaphore(maxRequests) : null;
        this.web = web;
        this.rules = WebRules.of(web.current(), null);
    }

    /** The rules of the web config in force now, made anew only when it changed. */
    private WebRules rules() {
        WebConfig config = web.current();
        WebRules r = rules;
        if (r.config() != config) {
            synchronized (this) {
                r = rules;
                if (r.config() != config) {
                    r = WebRules.of(config, r);
                    rules = r;
                }
            }
        }
        return r;
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        WebRules rules = rules();
        if (rules.bucket() != null && !rules.bucket().tryTake()) {
            refuse(base, response, HttpStatus.TOO_MANY_REQUESTS_429, "Too Many Requests\n");
            return;
        }
        rules.headers().forEach(response::setHeader);
        if (!rules.allowedSans().isEmpty() && !clientNameAllowed(request, rules.allowedSans())) {
            refuse(base, response, HttpServletResponse.SC_FORBIDDEN,
                    "The client certificate names none of the allowed names.\n");
            return;
        }
        if (rules.auth() != null) {
            switch (rules.auth().check(request.getHeader("Authorization"), request.getRemoteAddr())) {
                case DENIED -> {
                    response.setHeader("WWW-Authenticate", "Basic realm=\"exec-exporter\", charset=\"UTF-8\"");
                    refuse(base, response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized\n");
                    return;
                }
                case BUSY -> {
                    response.setHeader("Retry-After", "1");
                    refuse(base, response, HttpStatus.TOO_MANY_REQUESTS_429,
                            "Too many password checks at once, try again later.\n");
                    return;
                }
                case ALLOWED -> { }
            }
        }
        if (inFlight != null && !inFlight.tryAcquire()) {
            refuse(base, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "Limit of concurrent requests reached (" + maxRequests + "), try again later.\n");
            return;
        }
        try {
            super.handle(target, base, request, response);
        } finally {
            if (inFlight != null) {
                inFlight.release();
            }
        }
    }

    private static boolean clientNameAllowed(HttpServletRequest request, List<String> allowedSans) {
        if (!(request.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain)
                || chain.length == 0) {
            return false;
        }
        try {
            Collection<List<?>> names = chain[0].getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                if (name.size() >= 2 && name.get(1) instanceof String value && allowedSans.contains(value)) {
                    return true;
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return false;
    }

    private static void refuse(Request base, HttpServletResponse response, int status, String body)
            throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain; charset=utf-8");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        base.setHandled(true);
    }
}
