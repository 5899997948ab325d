package dev.loupe.collector.ingest;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds {@link ContentEncodingInterceptor} to a resource: its request body may come with {@code Content-Encoding:
 * gzip} and is read decompressed, within {@code loupe.collector.max-body-bytes}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ContentEncoded {}
