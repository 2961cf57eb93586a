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
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.execexporter.web.WebConfig;
import org.execexporter.web.WebConfigSource;

/**
 * In front of every path: the web config's rate limit (429), the limit on requests in flight
 * (over it: 503 at once, never queued), the configured response headers, the client certificate's
 * allowed names, then basic auth (401 with WWW-Authenticate). A request holds its permit until its
 * response is written, so clients that never read count against the limit until the idle timeout
 * closes them. The web config is taken from its source on each request: a changed file applies to
 * the next one.
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
            refuse(base, response, 429, "Too Many Requests\n");
            return;
        }
        if (inFlight != null && !inFlight.tryAcquire()) {
            refuse(base, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "Limit of concurrent requests reached (" + maxRequests + "), try again later.\n");
            return;
        }
        try {
            rules.headers().forEach(response::setHeader);
            if (!rules.allowedSans().isEmpty() && !clientNameAllowed(request, rules.allowedSans())) {
                refuse(base, response, HttpServletResponse.SC_FORBIDDEN,
                        "The client certificate names none of the allowed names.\n");
                return;
            }
            if (rules.auth() != null && !rules.auth().allows(request.getHeader("Authorization"))) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"exec-exporter\", charset=\"UTF-8\"");
                refuse(base, response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized\n");
                return;
            }
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
