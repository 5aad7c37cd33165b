package org.astralboot.boot.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of a {@code 200} from a boot API, as Pixiecore's {@code README.api.md} defines it:
 * {@code {"kernel": "...", "initrd": ["..."], "cmdline": "...", "message": "...",
 * "ipxe-script": "..."}}. Unknown members are ignored, as Pixiecore ignores them.
 *
 * <p>{@code cmdline} is a string template, or Pixiecore's deprecated object form, rewritten here
 * into the string form the way Pixiecore does it: keys in sorted order; {@code true} gives the bare
 * key, a string {@code key="value"} (Go's {@code %q} quoting), an object {@code {"url": "..."}}
 * {@code key={{ URL "..." }}}.
 *
 * @param kernel     kernel reference (URL, possibly relative to the API URL), "" with a script
 * @param initrds    initrd references, in load order
 * @param cmdline    the command line template (string form)
 * @param message    printed on the machine before booting, or ""
 * @param ipxeScript an iPXE script served verbatim instead of all the rest, or ""
 */
public record ApiAnswer(String kernel, List<String> initrds, String cmdline, String message, String ipxeScript) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ApiAnswer {
        kernel = kernel == null ? "" : kernel;
        initrds = List.copyOf(initrds);
        cmdline = cmdline == null ? "" : cmdline;
        message = message == null ? "" : message;
        ipxeScript = ipxeScript == null ? "" : ipxeScript;
    }

    /** Whether the answer is an iPXE script to serve verbatim (Pixiecore: a non-empty {@code ipxe-script}). */
    public boolean script() {
        return !ipxeScript.isEmpty();
    }

    /** A malformed answer: the machine is not booted, and the log says why. */
    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** Parses the body of a {@code 200}. */
    public static ApiAnswer parse(byte[] body) throws Malformed {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new Malformed("unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Malformed("not a JSON object");
        }
        String script = text(root, "ipxe-script");
        String kernel = text(root, "kernel");
        List<String> initrds = new ArrayList<>();
        JsonNode ir = root.get("initrd");
        if (ir != null && !ir.isNull()) {
            if (!ir.isArray()) {
                throw new Malformed("\"initrd\" is not a list");
            }
            for (JsonNode n : ir) {
                if (!n.isTextual() || n.asText().isEmpty()) {
                    throw new Malformed("\"initrd\" holds something other than a URL string");
                }
                initrds.add(n.asText());
            }
        }
        String cmdline;
        JsonNode c = root.get("cmdline");
        if (c == null || c.isNull()) {
            cmdline = "";
        } else if (c.isTextual()) {
            cmdline = c.asText();
        } else if (c.isObject()) {
            cmdline = objectForm(c);
        } else {
            throw new Malformed("\"cmdline\" is neither a string nor an object");
        }
        String message = text(root, "message");
        if (script.isEmpty() && kernel.isEmpty()) {
            throw new Malformed("neither \"kernel\" nor \"ipxe-script\"");
        }
        return new ApiAnswer(kernel, initrds, cmdline, message, script);
    }

    private static String text(JsonNode root, String name) throws Malformed {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new Malformed("\"" + name + "\" is not a string");
        }
        return n.asText();
    }

    /** The deprecated object form of {@code cmdline}, as Pixiecore's {@code constructCmdline}. */
    static String objectForm(JsonNode c) throws Malformed {
        Map<String, JsonNode> sorted = new TreeMap<>();
        c.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (v.isBoolean()) {
                out.add(k);
            } else if (v.isTextual()) {
                out.add(k + "=" + goQuote(v.asText()));
            } else if (v.isObject()) {
                JsonNode url = v.get("url");
                if (url == null || !url.isTextual()) {
                    throw new Malformed("cmdline key \"" + k + "\" has an object value with no \"url\"");
                }
                out.add(k + "={{ URL " + goQuote(url.asText()) + " }}");
            } else {
                throw new Malformed("cmdline key \"" + k + "\" has a value that is not a boolean, string or {\"url\"}");
            }
        }
        return String.join(" ", out);
    }

    /** A double-quoted string with Go's {@code %q} escapes for quote, backslash and control characters. */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7F) {
                        b.append(String.format("\\x%02x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
