package dev.loupe.common.pii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Replaces personal data in free text and in JSON (message arrays, parsed output) with {@code [KIND]}
 * placeholders and counts what it replaced. The one redaction of the suite: the collector runs it on prompts and
 * completions, the feedback-service on corrections. The patterns and their checks (cards must pass Luhn, IBANs
 * mod-97, so order numbers and timestamps survive) are {@link PiiPatterns}, shared with the pii_leak evaluator.
 */
@ApplicationScoped
public class Redactor {
    private static final Logger LOG = Logger.getLogger(Redactor.class);

    private final List<Rule> rules = new ArrayList<>();
    private final String canary;

    public Redactor(RedactionConfig config) {
        this.canary = config.canary().filter(c -> !c.isBlank()).orElse(null);
        // each built-in rule has a cheap precondition (an '@', enough digits) that skips the regex on most text
        if (config.cards()) {
            rules.add(new Rule("card", PiiPatterns.CARD, PiiPatterns::luhnValid, (text, digits) -> digits >= 13));
        }
        if (config.ibans()) {
            rules.add(new Rule("iban", PiiPatterns.IBAN, PiiPatterns::ibanValid, (text, digits) -> digits >= 6));
        }
        if (config.emails()) {
            rules.add(new Rule("email", PiiPatterns.EMAIL, m -> true, (text, digits) -> text.indexOf('@') >= 0));
        }
        if (config.phones()) {
            rules.add(new Rule("phone", PiiPatterns.PHONE, PiiPatterns::plausiblePhone, (text, digits) -> digits >= 9));
        }
        for (Map.Entry<String, String> custom : config.patterns().entrySet()) {
            rules.add(new Rule(custom.getKey(), Pattern.compile(custom.getValue()), m -> true, (text, digits) -> true));
        }
    }

    private record Rule(String kind, Pattern pattern, Predicate<String> accept, Precondition mayMatch) {}

    @FunctionalInterface
    private interface Precondition {
        boolean test(String text, int digits);
    }

    /** Redacts {@code text}, adding what it replaced to {@code counts}; {@code null} stays {@code null}. */
    public String redact(String text, RedactionCounts counts) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // PostgreSQL text and jsonb cannot hold NUL: one stray \u0000 would make the record unstorable downstream
        String out = text.indexOf('\u0000') >= 0 ? text.replace('\u0000', '\uFFFD') : text;
        if (canary != null && out.contains(canary)) {
            int n = (out.length() - out.replace(canary, "").length()) / canary.length();
            out = out.replace(canary, "[CANARY]");
            counts.add("canary", n);
            LOG.warn("the configured redaction canary was found in ingested text and removed");
        }
        int digits = 0;
        for (int i = 0; i < out.length(); i++) {
            if (Character.isDigit(out.charAt(i))) {
                digits++;
            }
        }
        for (Rule rule : rules) {
            if (rule.mayMatch().test(out, digits)) {
                out = apply(rule, out, counts);
            }
        }
        return out;
    }

    /** Redacts every string value of a JSON tree in place (keys are left alone) and returns it. */
    public JsonNode redact(JsonNode node, RedactionCounts counts) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String redacted = redact(node.textValue(), counts);
            return redacted.equals(node.textValue()) ? node : TextNode.valueOf(redacted);
        }
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(object.properties());
            for (Map.Entry<String, JsonNode> e : entries) {
                object.set(e.getKey(), redact(e.getValue(), counts));
            }
        } else if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, redact(array.get(i), counts));
            }
        }
        return node;
    }

    private static String apply(Rule rule, String text, RedactionCounts counts) {
        Matcher m = rule.pattern().matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (!rule.accept().test(m.group())) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start())
                    .append('[')
                    .append(rule.kind().toUpperCase(Locale.ROOT))
                    .append(']');
            last = m.end();
            counts.add(rule.kind(), 1);
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }
}
