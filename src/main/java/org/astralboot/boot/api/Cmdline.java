package org.astralboot.boot.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pixiecore's kernel command line template: {@code {{ URL "ref" }}} and {@code {{ ID "ref" }}} are
 * replaced by the signed Astralboot URL ({@link FileUrls}) of the file {@code ref} names (for the
 * API, a URL resolved against the API URL; for a static boot, a local file or a URL). Pixiecore's
 * {@code ID} gave a bare file id that its own URLs wrapped; here both give the whole URL, which is
 * what command lines use it for. Go's spacing and trim markers ({@code {{- URL "x" -}}}) are
 * accepted; any other {@code {{ }}} action is refused, as Pixiecore's template parser refuses it.
 */
public final class Cmdline {
    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(URL|ID)\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*-?}}");

    /** Turns a file reference into the URL the machine fetches it from. */
    @FunctionalInterface
    public interface Files {
        String url(String ref) throws BadReference;
    }

    /** A reference that names no file this source may serve. */
    public static final class BadReference extends Exception {
        public BadReference(String message) {
            super(message);
        }
    }

    private Cmdline() {
    }

    /** The command line with every action replaced. */
    public static String render(String template, Files files) throws BadReference {
        // Only the literal text between actions is checked: a URL put in never holds braces.
        if (ACTION.matcher(template).replaceAll("").contains("{{")) {
            throw new BadReference("cmdline holds a template action other than {{ URL \"...\" }} / {{ ID \"...\" }}");
        }
        Matcher m = ACTION.matcher(template);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(template, last, m.start()).append(files.url(unquote(m.group(2))));
            last = m.end();
        }
        return out.append(template.substring(last)).toString();
    }

    private static String unquote(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
