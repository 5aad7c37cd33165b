package org.astralboot.boot;

/**
 * Quoting for values that templates place into other languages. Pure functions; exposed to
 * templates as the lambdas {@code {{#yaml}}...{{/yaml}}} and {@code {{#sh}}...{{/sh}}}.
 */
public final class Quoting {
    private Quoting() {
    }

    /**
     * A YAML double-quoted scalar (YAML 1.2 §7.3.1) holding exactly {@code s}: usable as a value in
     * block and flow context, whatever {@code s} contains ({@code : # - " \ ' { [ &}, newlines,
     * leading spaces, {@code null}/{@code true}-like words are all neutralised). Non-printable
     * characters and the YAML line breaks U+0085/U+2028/U+2029 are escaped, so the value is always
     * one line.
     */
    public static String yaml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\0' -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                            || c == '\uFEFF' || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /**
     * A POSIX shell single-quoted word holding exactly {@code s}. Refuses line breaks and other
     * control characters, because the usual consumer (a preseed {@code late_command}) is a one-line
     * value where a newline would end the command early.
     *
     * @throws IllegalArgumentException for control characters
     */
    public static String sh(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new IllegalArgumentException("control character in a value for the shell");
            }
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
