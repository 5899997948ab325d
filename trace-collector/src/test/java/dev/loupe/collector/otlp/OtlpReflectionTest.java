package dev.loupe.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.loupe.testing.nativeimage.JacksonReach;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every message and enum class JsonFormat reaches from the OTLP request and response is registered for reflection by
 * {@link OtlpReflection} (itself or as a nested class of a target), found by walking the descriptors, so a field of a
 * new message type in a newer opentelemetry-proto cannot slip past.
 */
class OtlpReflectionTest {
    @Test
    void everyMessageAndEnumReachedFromTheRequestAndResponseIsRegistered() throws ReflectiveOperationException {
        Set<String> reached = reachedClasses(
                ExportTraceServiceRequest.getDefaultInstance(), ExportTraceServiceResponse.getDefaultInstance());
        Set<String> registered = JacksonReach.registeredTypes(
                List.of(Path.of("target", "classes")),
                OtlpReflection.class.getName(),
                OtlpReflectionTest.class.getClassLoader());

        assertThat(reached)
                .contains(
                        Span.class.getName(),
                        Span.Event.class.getName(),
                        Span.SpanKind.class.getName(),
                        io.opentelemetry.proto.common.v1.AnyValue.class.getName())
                .hasSizeGreaterThan(15);
        assertThat(registered).containsAll(reached);
        assertThat(registered).contains(ExportTraceServiceRequest.Builder.class.getName());
    }

    private static Set<String> reachedClasses(Message... roots) throws ReflectiveOperationException {
        Set<String> reached = new TreeSet<>();
        Deque<Message> todo = new ArrayDeque<>(List.of(roots));
        while (!todo.isEmpty()) {
            Message message = todo.pop();
            if (!reached.add(message.getClass().getName())) {
                continue;
            }
            for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
                if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    todo.push(message.newBuilderForType()
                            .newBuilderForField(field)
                            .getDefaultInstanceForType());
                } else if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                    String getter =
                            "get" + Character.toUpperCase(field.getJsonName().charAt(0))
                                    + field.getJsonName().substring(1) + (field.isRepeated() ? "List" : "");
                    Class<?> type = message.getClass().getMethod(getter).getReturnType();
                    reached.add(field.isRepeated() ? enumOfList(message, getter) : type.getName());
                }
            }
        }
        return reached;
    }

    private static String enumOfList(Message message, String getter) throws ReflectiveOperationException {
        java.lang.reflect.ParameterizedType list = (java.lang.reflect.ParameterizedType)
                message.getClass().getMethod(getter).getGenericReturnType();
        return list.getActualTypeArguments()[0].getTypeName();
    }
}
