package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contracts.events.DecisionRecord;
import java.util.Collection;
import java.util.Iterator;

/** What the evaluators share about reading a decision: its text, its JSON, and how to phrase a reason. */
final class Decisions {
    /** Trailing tokens fail: "{} and more" is not a JSON answer, although Jackson would stop after "{}". */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final int QUOTE_LIMIT = 80;

    /** A check for what must not be in the output, on a decision with no output: nothing to judge, not a pass. */
    static final Verdict NO_TEXT_TO_SEARCH = Verdict.notApplicable("the decision has no output text to search");

    private Decisions() {}

    /** The parsed output, with a JSON {@code null} read as absent. */
    static JsonNode parsed(DecisionRecord decision) {
        JsonNode parsed = decision.parsedOutput();
        return parsed == null || parsed.isNull() || parsed.isMissingNode() ? null : parsed;
    }

    /** The text to judge: the output, else the parsed output as JSON text; null when there is neither. */
    static String text(DecisionRecord decision) {
        String output = decision.output();
        if (output != null && !output.isBlank()) {
            return output;
        }
        JsonNode parsed = parsed(decision);
        if (parsed == null) {
            return null;
        }
        String text = parsed.isTextual() ? parsed.textValue() : parsed.toString();
        return text.isBlank() ? null : text;
    }

    static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    /** The failure of a content check on a decision that produced nothing, naming why when the record says. */
    static Verdict noOutput(DecisionRecord decision) {
        StringBuilder reason = new StringBuilder("the decision has no output");
        if (decision.status() != null || decision.errorType() != null) {
            reason.append(" (");
            if (decision.status() != null) {
                reason.append("status ").append(decision.status());
            }
            if (decision.errorType() != null) {
                reason.append(decision.status() != null ? ", " : "")
                        .append("errorType ")
                        .append(decision.errorType());
            }
            reason.append(')');
        }
        return Verdict.fail(reason.toString());
    }

    static JsonNode parseJson(String text) throws JsonProcessingException {
        return JSON.readTree(text);
    }

    /** Jackson's complaint on one line, with where it happened. */
    static String describe(JsonProcessingException e) {
        String message = firstLine(e.getOriginalMessage());
        JsonLocation at = e.getLocation();
        return at == null ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return truncate(newline < 0 ? text : text.substring(0, newline), 200);
    }

    /** {@code text} cut to {@code max} chars with an ellipsis, never splitting a surrogate pair. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…";
    }

    static String quote(String text) {
        return "'" + truncate(text, QUOTE_LIMIT) + "'";
    }

    /** Quotes {@code text[start, end)} without first copying a match that may span the whole output. */
    static String quote(String text, int start, int end) {
        return quote(text.substring(start, Math.min(end, start + QUOTE_LIMIT + 1)));
    }

    /** Up to {@code max} quoted values, then how many more: "'a', 'b' and 3 more". */
    static String quoteAll(Collection<String> values, int max) {
        StringBuilder out = new StringBuilder();
        Iterator<String> it = values.iterator();
        for (int i = 0; i < max && it.hasNext(); i++) {
            out.append(i == 0 ? "" : ", ").append(quote(it.next()));
        }
        if (values.size() > max) {
            out.append(" and ").append(values.size() - max).append(" more");
        }
        return out.toString();
    }
}
