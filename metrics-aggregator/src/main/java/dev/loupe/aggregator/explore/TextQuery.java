package dev.loupe.aggregator.explore;

import dev.loupe.common.http.ProblemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A user's search text: at most 200 characters with at least one word, searched with PostgreSQL's
 * {@code websearch_to_tsquery('simple', q)} (words, {@code "a phrase"}, {@code or}, {@code -word}) against the
 * {@code to_tsvector('simple', …)} indexes of V11. {@link #words} are the words to mark in a snippet.
 */
public record TextQuery(String text, List<String> words) {
    static final int MAX_LENGTH = 200;

    /**
     * The full-text expression over spans, exactly as V12 indexes it (same text, same predicate), so the planner can
     * use the index: the words of the prompt and the completion, and the lexeme of the span's UTC day
     * ({@link #dayLexeme}); {@code alias} is the table alias.
     */
    public static String spanVector(String alias) {
        return "(to_tsvector('simple'::regconfig, coalesce(" + alias + ".prompt, '') || ' ' || coalesce(" + alias
                + ".completion, '')) || array_to_tsvector(array['day ' || extract(day from " + alias
                + ".start_time - timestamptz '1970-01-01 00:00:00+00')::bigint::text]))";
    }

    /**
     * The lexeme V12 adds to a span's vector for its UTC day, as tsquery text: {@code 'day N'} with N the days since
     * 1970. The space keeps it apart from every word a text can hold.
     */
    public static String dayLexeme(long epochDay) {
        return "'day " + epochDay + "'";
    }

    /** The partial index's predicate, repeated in every query that should use it. */
    public static String spanHasText(String alias) {
        return "(" + alias + ".prompt is not null or " + alias + ".completion is not null)";
    }

    /** A decision's output, exactly as V11 indexes it. */
    public static String decisionVector(String alias) {
        return "to_tsvector('simple'::regconfig, coalesce(" + alias + ".record->>'output', ''))";
    }

    /** A word "or" (websearch syntax for either side), or a '-' opening a word (a negation). */
    private static final Pattern EITHER_OR_NOT =
            Pattern.compile("(?i)(?<![\\p{L}\\p{N}_])or(?![\\p{L}\\p{N}_])|(?<!\\S)-");

    /**
     * Whether every word of the query is required (no {@code or}, no {@code -word}): then a matching text holds each
     * of the query's lexemes as a lower-cased substring, which {@link TextSearch} checks cheaply first. Conservative:
     * an "or" anywhere, even inside quotes, answers false.
     */
    public boolean conjunctive() {
        return !EITHER_OR_NOT.matcher(text).find();
    }

    /** Parses {@code q}, or answers 400 naming {@code field}; null when absent. */
    public static TextQuery parse(String field, String q) {
        if (q == null) {
            return null;
        }
        String text = q.strip();
        if (text.isEmpty() || text.length() > MAX_LENGTH || text.indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest(field, "must be 1 to " + MAX_LENGTH + " characters of text to search");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean negated = false;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c) || c == '_' || c == '@' || c == '.' && word.length() > 0) {
                if (word.length() == 0) {
                    negated = i > 0 && text.charAt(i - 1) == '-';
                }
                word.append(c);
            } else if (word.length() > 0) {
                String w = stripDots(word.toString()).toLowerCase(Locale.ROOT);
                if (!w.isEmpty() && !negated && !w.equals("or")) {
                    words.add(w);
                }
                word.setLength(0);
            }
        }
        if (words.isEmpty()) {
            throw ProblemException.badRequest(field, "has no word to search for");
        }
        return new TextQuery(text, List.copyOf(words));
    }

    private static String stripDots(String w) {
        int end = w.length();
        while (end > 0 && w.charAt(end - 1) == '.') {
            end--;
        }
        return w.substring(0, end);
    }
}
