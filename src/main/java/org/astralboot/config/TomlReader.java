package org.astralboot.config;

import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.astralboot.net.Ipv4;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/** Typed access that turns every wrong type or value into a ConfigException naming file, key and line. */
record TomlReader(Path file, TomlParseResult root) {

    ConfigException invalid(String key, String message) {
        return invalidAt(key, key, message);
    }

    /** Like {@link #invalid}, with the line of {@code positionKey} (the key itself may be absent). */
    ConfigException invalidAt(String key, String positionKey, String message) {
        String where = file.toString();
        if (!positionKey.contains("[")) {
            try {
                var pos = root.inputPositionOf(positionKey);
                if (pos != null) {
                    where += ":" + pos.line() + ":" + pos.column();
                }
            } catch (RuntimeException e) {
                // The key path crosses an array or a non-table: no position to show.
            }
        }
        return new ConfigException(where + ": " + key + ": " + message);
    }

    /**
     * Like {@link #invalid} for a key inside entry {@code index} of an array of tables: the position is
     * that of {@code leafKey} in {@code entry}, or of the entry itself when {@code leafKey} is null.
     */
    ConfigException invalidIn(TomlArray arr, int index, TomlTable entry, String leafKey, String key,
            String message) {
        org.tomlj.TomlPosition pos = null;
        try {
            pos = leafKey != null ? entry.inputPositionOf(leafKey) : null;
            if (pos == null) {
                pos = arr.inputPositionOf(index);
            }
        } catch (RuntimeException e) {
            // No position recorded: name the file only.
        }
        String where = file.toString() + (pos == null ? "" : ":" + pos.line() + ":" + pos.column());
        return new ConfigException(where + ": " + key + ": " + message);
    }

    private static String leaf(String dotted) {
        int i = dotted.lastIndexOf('.');
        return i < 0 ? dotted : dotted.substring(i + 1);
    }

    TomlTable table(TomlTable t, String key) throws ConfigException {
        Object o = t.get(key);
        if (o == null) {
            return null;
        }
        if (o instanceof TomlTable tt) {
            return tt;
        }
        throw invalid(key, "must be a table ([" + key + "])");
    }

    TomlArray array(TomlTable t, String key) throws ConfigException {
        Object o = t.get(leaf(key));
        if (o == null) {
            return null;
        }
        if (o instanceof TomlArray a) {
            return a;
        }
        throw invalid(key, "must be an array");
    }

    Optional<String> optString(TomlTable t, String key) throws ConfigException {
        if (t == null) {
            return Optional.empty();
        }
        Object o = t.get(leaf(key));
        if (o == null) {
            return Optional.empty();
        }
        if (o instanceof String s) {
            return Optional.of(s);
        }
        throw invalid(key, "must be a string, got " + o);
    }

    String string(TomlTable t, String key, String def) throws ConfigException {
        return optString(t, key).orElse(def);
    }

    boolean bool(TomlTable t, String key, boolean def) throws ConfigException {
        Object o = t == null ? null : t.get(leaf(key));
        if (o == null) {
            return def;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        throw invalid(key, "must be true or false, got " + o);
    }

    int intIn(TomlTable t, String key, int def, int min, int max) throws ConfigException {
        Object o = t == null ? null : t.get(leaf(key));
        if (o == null) {
            return def;
        }
        if (!(o instanceof Long l)) {
            throw invalid(key, "must be a whole number, got " + o);
        }
        if (l < min || l > max) {
            throw invalid(key, l + " is out of range " + min + ".." + max);
        }
        return l.intValue();
    }

    Optional<Inet4Address> optIp(TomlTable t, String key) throws ConfigException {
        Optional<String> s = optString(t, key);
        if (s.isEmpty() || s.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Ipv4.parse(s.get()));
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** An IPv6 address in any RFC 4291 §2.2 text form, without a zone; absent or "": empty. */
    Optional<java.net.Inet6Address> optIp6(TomlTable t, String key) throws ConfigException {
        Optional<String> s = optString(t, key);
        if (s.isEmpty() || s.get().isEmpty()) {
            return Optional.empty();
        }
        String v = s.get();
        if (!v.contains(":") || !v.matches("[0-9A-Fa-f:.]+")) {
            throw invalid(key, "'" + v + "' is not an IPv6 address");
        }
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(v);
            if (a instanceof java.net.Inet6Address a6) {
                return Optional.of(a6);
            }
            throw invalid(key, "'" + v + "' is an IPv4-mapped address, not an IPv6 one");
        } catch (java.net.UnknownHostException e) {
            throw invalid(key, "'" + v + "' is not an IPv6 address");
        }
    }

    Optional<List<Inet4Address>> ipList(TomlTable t, String key) throws ConfigException {
        TomlArray a = t == null ? null : array(t, key);
        if (a == null) {
            return Optional.empty();
        }
        List<Inet4Address> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            Object o = a.get(i);
            if (!(o instanceof String s)) {
                throw invalid(key, "entries must be strings");
            }
            try {
                out.add(Ipv4.parse(s));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }
        return Optional.of(out);
    }

    Duration durationIn(TomlTable t, String key, Duration def, Duration min, Duration max)
            throws ConfigException {
        Object o = t == null ? null : t.get(leaf(key));
        if (o == null) {
            return def;
        }
        Duration d;
        try {
            d = o instanceof Long l ? Duration.ofSeconds(l) : ConfigLoader.parseDuration(String.valueOf(o));
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw invalid(key, o + " is out of range " + min + ".." + max);
        }
        return d;
    }

    long size(TomlTable t, String key, long def) throws ConfigException {
        Object o = t == null ? null : t.get(leaf(key));
        if (o == null) {
            return def;
        }
        try {
            return o instanceof Long l ? l : ConfigLoader.parseSize(String.valueOf(o));
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    long sizeIn(TomlTable t, String key, long def, long min, long max) throws ConfigException {
        long n = size(t, key, def);
        if (n < min || n > max) {
            throw invalid(key, n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    URI httpUri(TomlTable t, String key, String def) throws ConfigException {
        String s = string(t, key, def);
        try {
            URI u = new URI(s);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new URISyntaxException(s, "not an http:// URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw invalid(key, "'" + s + "' is not an http:// URL");
        }
    }

    Config.DhcpMode mode(TomlTable t, String key, Config.DhcpMode def) throws ConfigException {
        String s = string(t, key, def.name().toLowerCase(Locale.ROOT));
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "full" -> Config.DhcpMode.FULL;
            case "proxy" -> Config.DhcpMode.PROXY;
            case "off" -> Config.DhcpMode.OFF;
            default -> throw invalid(key, "'" + s + "' is not a DHCP mode (full, proxy or off)");
        };
    }

    String fileName(TomlTable t, String key, String def) throws ConfigException {
        String s = string(t, key, def);
        if (s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals("..") || s.equals(".")) {
            throw invalid(key, "'" + s + "' must be a plain file name under tftp/");
        }
        return s;
    }
}
