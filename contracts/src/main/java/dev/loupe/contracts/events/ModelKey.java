package dev.loupe.contracts.events;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model a call is counted under in metrics and windows ({@code docs/architecture.md#model-key}), so a failed
 * call (which carries only the model asked for, {@code gpt-4o-mini}) and a successful one (which carries the model
 * that answered, {@code gpt-4o-mini-2024-07-18}) fall into one series.
 *
 * <p>The key is the request model when the span has one, else the model, with its trailing <em>date suffix</em>
 * removed: a {@code -} or {@code @} followed by a full date, {@code YYYY-MM-DD} or {@code YYYYMMDD} with a year
 * 20xx, optionally followed by a Bedrock version {@code -vN} or {@code -vN:M} (more {@code :part}s allowed), at the
 * very end of the name (two such suffixes in a row both go). Everything before it is kept as it is (case, a Bedrock vendor or region prefix such as
 * {@code us.anthropic.}, an Azure deployment name). Four-digit snapshots ({@code gpt-4-0613}, {@code
 * mistral-large-2411}) and Gemini's three-digit versions ({@code gemini-1.5-pro-002}) are not dates and are kept:
 * they cannot be told from a version number. A name that is nothing but a date is kept. {@code null} or blank
 * names give {@code ""} (no model). The function is idempotent: the key of a key is the key.
 *
 * <p>Pure and Jackson-free, so every service can use it; metrics-aggregator's migration {@code V8} holds its SQL
 * twin {@code telemetry.model_key(text)}, which a test checks against this class.
 */
public final class ModelKey {
    /** The suffix removed; the SQL twin uses the same expression (POSIX and Java agree on this subset). */
    public static final String DATE_SUFFIX =
            "(?:[-@](?:20[0-9]{2}-[01][0-9]-[0-3][0-9]|20[0-9]{2}[01][0-9][0-3][0-9])(?:-v[0-9]+(?::[0-9A-Za-z]+)*)?)+$";

    private static final Pattern SUFFIX = Pattern.compile(DATE_SUFFIX);

    private ModelKey() {}

    /** The key of a call that asked for {@code requestModel} and was answered by {@code model}. */
    public static String of(String requestModel, String model) {
        return normalise(isBlank(requestModel) ? model : requestModel);
    }

    /** The key of one model name: the name without its trailing date suffix; {@code ""} for none. */
    public static String normalise(String name) {
        if (isBlank(name)) {
            return "";
        }
        Matcher m = SUFFIX.matcher(name);
        if (!m.find() || m.start() == 0) {
            return name;
        }
        return name.substring(0, m.start());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
