package dev.loupe.e2e.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A service's {@code /q/metrics} page (Prometheus text format), read just far enough to sum samples. */
final class PrometheusText {
    /** One sample line: its name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples = new ArrayList<>();

    PrometheusText(String text) {
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                Sample s = parse(line.trim());
                if (s != null) {
                    samples.add(s);
                }
            }
        }
    }

    /** The sum of every sample called {@code name} whose labels match; -1 when there is none. */
    double sum(String name, Predicate<Map<String, String>> labels) {
        double total = 0;
        boolean any = false;
        for (Sample s : samples) {
            if (s.name().equals(name) && labels.test(s.labels())) {
                total += s.value();
                any = true;
            }
        }
        return any ? total : -1;
    }

    double sum(String name) {
        return sum(name, labels -> true);
    }

    private static Sample parse(String line) {
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        if (space < 0) {
            return null;
        }
        Map<String, String> labels = new HashMap<>();
        String name;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            readLabels(line.substring(brace + 1, line.lastIndexOf('}')), labels);
        } else {
            name = line.substring(0, line.indexOf(' '));
        }
        try {
            return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code a="x",b="y\"z",} — values are quoted, with backslash escapes. */
    private static void readLabels(String text, Map<String, String> into) {
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                return;
            }
            String key = text.substring(i, eq).replace(",", "").trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (j < text.length() && text.charAt(j) != '"') {
                if (text.charAt(j) == '\\' && j + 1 < text.length()) {
                    j++;
                }
                value.append(text.charAt(j++));
            }
            into.put(key, value.toString());
            i = j + 1;
        }
    }
}
