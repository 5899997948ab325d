package dev.loupe.collector.ingest;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.ProblemException;
import jakarta.inject.Provider;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Reads a {@link ContentEncoded} resource's gzip body ({@code POST /v1/spans}, {@code /v1/decisions}) into bytes,
 * at most {@code loupe.collector.max-body-bytes} of them after decompression (checked while inflating), and hands
 * those to Jackson. Answers, as problem+json: not valid gzip → 400 naming {@code body}; past the limit → 413 naming
 * {@code body}; another encoding → 415 naming {@code Content-Encoding}. An identity body passes untouched (the HTTP
 * server's {@code quarkus.http.limits.max-body-size} bounds it).
 */
@jakarta.ws.rs.ext.Provider
@ContentEncoded
public class ContentEncodingInterceptor implements ReaderInterceptor {
    // resolved per request: Quarkus REST creates its interceptors while the application starts, before the
    // configuration mappings exist
    private final Provider<CollectorConfig> config;

    public ContentEncodingInterceptor(Provider<CollectorConfig> config) {
        this.config = config;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        String contentEncoding = context.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING);
        try {
            if (RequestBodies.encoding(contentEncoding) == RequestBodies.Encoding.GZIP) {
                byte[] body = RequestBodies.inflate(
                        context.getInputStream(), 0, config.get().maxBodyBytes());
                context.setInputStream(new ByteArrayInputStream(body));
            }
        } catch (RequestBodies.UndecodableBody e) {
            throw problem(e);
        }
        return context.proceed();
    }

    static ProblemException problem(RequestBodies.UndecodableBody e) {
        return switch (e.reason()) {
            case NOT_GZIP -> ProblemException.badRequest("body", e.getMessage());
            case TOO_LARGE -> ProblemException.tooLarge("body", e.getMessage());
            case UNSUPPORTED_ENCODING ->
                new ProblemException(
                        415, "Unsupported Media Type", e.getMessage(), HttpHeaders.CONTENT_ENCODING, null, null);
        };
    }
}
