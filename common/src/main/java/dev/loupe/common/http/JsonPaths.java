package dev.loupe.common.http;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;

/** Turns Jackson's reference path into the field notation our errors use: {@code spans[0].traceId}. */
public final class JsonPaths {
    private JsonPaths() {}

    public static String describe(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}
