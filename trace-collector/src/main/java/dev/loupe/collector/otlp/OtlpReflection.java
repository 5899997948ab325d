package dev.loupe.collector.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Registers the OTLP trace messages for reflection in native images. Binary parsing runs generated code, but
 * protobuf-java-util's {@code JsonFormat} (OTLP/JSON in, the JSON response out) goes through each message's field
 * accessor table, which finds the getters, setters and builders of the message and builder classes reflectively, and
 * an enum's {@code valueOf}. Each target brings its nested classes (its {@code Builder}, {@code Span.Event}, {@code
 * Span.SpanKind}...). There is no Quarkus extension for bare protobuf messages ({@code quarkus-grpc} would add a gRPC
 * server and client); {@code OtlpReflectionTest} walks the message descriptors from the request and the response and
 * fails on a message type missing here.
 */
@RegisterForReflection(
        targets = {
            ExportTraceServiceRequest.class,
            ExportTraceServiceResponse.class,
            ExportTracePartialSuccess.class,
            ResourceSpans.class,
            ScopeSpans.class,
            Span.class,
            Status.class,
            Resource.class,
            EntityRef.class,
            InstrumentationScope.class,
            KeyValue.class,
            KeyValueList.class,
            AnyValue.class,
            ArrayValue.class
        })
public final class OtlpReflection {
    private OtlpReflection() {}
}
