package dev.loupe.collector.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies as sent by clients: {@code Content-Encoding} absent, {@code identity} or {@code gzip}, with the size
 * limit ({@code loupe.collector.max-body-bytes}) applied to the decompressed bytes and checked while inflating, so a
 * small body that expands without end (a gzip bomb) stops at the limit instead of filling the heap. One
 * implementation for OTLP/HTTP ({@code /v1/traces}) and the native JSON endpoints ({@code /v1/spans},
 * {@code /v1/decisions}); each maps {@link UndecodableBody} to its own answer.
 */
public final class RequestBodies {
    private RequestBodies() {}

    /** The encodings accepted. */
    public enum Encoding {
        IDENTITY,
        GZIP
    }

    /** The encoding named by a {@code Content-Encoding} header; absent or blank is identity, any other → 415. */
    public static Encoding encoding(String contentEncoding) {
        if (contentEncoding == null || contentEncoding.isBlank()) {
            return Encoding.IDENTITY;
        }
        return switch (contentEncoding.trim().toLowerCase(Locale.ROOT)) {
            case "identity" -> Encoding.IDENTITY;
            case "gzip" -> Encoding.GZIP;
            default ->
                throw new UndecodableBody(
                        UndecodableBody.Reason.UNSUPPORTED_ENCODING,
                        "unsupported Content-Encoding " + contentEncoding + "; use gzip or none");
        };
    }

    /** The body as sent, decompressed when gzip; over {@code limit} bytes (after decompression) is refused. */
    public static byte[] decode(byte[] body, String contentEncoding, int limit) {
        if (encoding(contentEncoding) == Encoding.IDENTITY) {
            if (body.length > limit) {
                throw new UndecodableBody(
                        UndecodableBody.Reason.TOO_LARGE, "request body is larger than " + limit + " bytes");
            }
            return body;
        }
        return inflate(new ByteArrayInputStream(body), body.length, limit);
    }

    /**
     * The gzip stream {@code compressed} inflated, refused as soon as it passes {@code limit} bytes; {@code sizeHint}
     * (the compressed length when known, else 0) only sizes the first buffer.
     */
    public static byte[] inflate(InputStream compressed, int sizeHint, int limit) {
        try (InputStream in = new GZIPInputStream(compressed)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(8192, Math.min(limit, sizeHint * 4)));
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > limit) {
                    throw new UndecodableBody(
                            UndecodableBody.Reason.TOO_LARGE, "request body expands past " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UndecodableBody(UndecodableBody.Reason.NOT_GZIP, "body is not valid gzip: " + e.getMessage());
        }
    }

    /** A body that cannot be read as sent; {@link Reason#status()} is the HTTP status it deserves. */
    public static final class UndecodableBody extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Why, with its HTTP status. */
        public enum Reason {
            NOT_GZIP(400),
            TOO_LARGE(413),
            UNSUPPORTED_ENCODING(415);

            private final int status;

            Reason(int status) {
                this.status = status;
            }

            public int status() {
                return status;
            }
        }

        private final Reason reason;

        UndecodableBody(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
