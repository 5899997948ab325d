package dev.loupe.aggregator.explore;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A window of stored (already redacted) text around the first place a query word occurs, and where each word occurs
 * in it ({@code [start, end)} in UTF-16 units of {@code text}), so the page can mark them with DOM nodes, never by
 * parsing markup. Made here rather than with {@code ts_headline}, which re-parses the whole document per hit.
 */
@RegisterForReflection
public record Snippet(String text, List<int[]> matches) {
    static final int BEFORE = 60;
    static final int LENGTH = 200;

    /** The snippet of {@code text} for {@code words} (lower case); null when {@code text} is null. */
    public static Snippet of(String text, List<String> words) {
        if (text == null) {
            return null;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        int first = -1;
        if (lower.length() == text.length()) { // lower-casing kept the offsets (true for nearly all text)
            for (String w : words) {
                int at = find(lower, w, 0);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                }
            }
        }
        int start = first < 0 ? 0 : Math.max(0, first - BEFORE);
        if (start > 0 && Character.isLowSurrogate(text.charAt(start))) {
            start--;
        }
        int end = Math.min(text.length(), start + LENGTH);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        String window = (start > 0 ? "…" : "") + text.substring(start, end) + (end < text.length() ? "…" : "");
        int shift = start > 0 ? 1 : 0;
        List<int[]> matches = new ArrayList<>();
        if (lower.length() == text.length()) {
            String part = lower.substring(start, end);
            for (String w : words) {
                for (int at = find(part, w, 0); at >= 0; at = find(part, w, at + w.length())) {
                    matches.add(new int[] {at + shift, at + shift + w.length()});
                }
            }
            matches.sort((a, b) -> Integer.compare(a[0], b[0]));
        }
        return new Snippet(window, matches);
    }

    /** The next occurrence of {@code word} at word boundaries, as the full-text parser would split the text. */
    static int find(String text, String word, int from) {
        for (int at = text.indexOf(word, from); at >= 0; at = text.indexOf(word, at + 1)) {
            boolean startsWord = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1));
            int after = at + word.length();
            boolean endsWord = after >= text.length() || !Character.isLetterOrDigit(text.charAt(after));
            if (startsWord && endsWord) {
                return at;
            }
        }
        return -1;
    }
}
