package org.execexporter.http;

import java.util.List;
import java.util.Map;
import org.execexporter.config.WebConfig;

/**
 * What one web config asks of every request, made once per config (a bcrypt check object, a rate
 * limiter with its tokens) and kept until the config changes, so an unchanged file costs nothing
 * per request and keeps its rate limiter's state.
 *
 * @param auth   null without basic_auth_users
 * @param bucket null without rate_limit
 */
record WebRules(WebConfig config, Map<String, String> headers, BasicAuth auth, List<String> allowedSans,
                TokenBucket bucket) {
    /**
     * The rules of {@code web}. What did not change since {@code previous} (null at start) is kept:
     * the users' bcrypt cache, the rate limiter's tokens (a fresh bucket would hand out a new burst).
     */
    static WebRules of(WebConfig web, WebRules previous) {
        BasicAuth auth = web.basicAuthUsers().isEmpty() ? null
                : previous != null && previous.auth != null
                        && previous.config.basicAuthUsers().equals(web.basicAuthUsers()) ? previous.auth
                : new BasicAuth(web.basicAuthUsers());
        TokenBucket bucket = !web.rateLimit().enabled() ? null
                : previous != null && previous.bucket != null
                        && previous.config.rateLimit().equals(web.rateLimit()) ? previous.bucket
                : new TokenBucket(web.rateLimit(), System::nanoTime);
        return new WebRules(web, web.headers(), auth,
                web.tlsEnabled() ? web.tls().clientAllowedSans() : List.of(), bucket);
    }
}
