package org.astralboot.config;

import java.net.Inet4Address;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.astralboot.net.Ipv4;
import org.tomlj.TomlTable;

/**
 * One key of {@code config.toml}: dotted name, type, default, range, the checks on its value alone,
 * a one-line description, and where its value sits in a {@link Config}. The constants of
 * {@link Keys} are the one description of every key; the loader reads with them, the writer writes
 * with them, and a test holds {@code config.toml.dist} to them.
 *
 * <p>Checks that involve more than one key (a pool inside the subnet, reservations, host name
 * lengths with the domain) stay in the loader.
 *
 * @param <T> the value's type in a {@link Config}
 */
public final class Key<T> {
    /** How a key's value is read from its table; {@code null} when absent and without a default. */
    @FunctionalInterface
    interface Read<T> {
        T read(TomlReader r, TomlTable table, Key<T> key) throws ConfigException;
    }

    /** A check on the value alone: why it is not acceptable, or {@code null}. */
    @FunctionalInterface
    interface Check<T> {
        String problem(T value);
    }

    private final String name;
    private final String type;
    private final T def;
    private final T min;
    private final T max;
    private final String doc;
    private final Read<T> read;
    private final Check<T> check;
    private final Function<? super T, String> format;
    private final Function<Config, T> get;

    private Key(String name, String type, T def, T min, T max, String doc, Read<T> read, Check<T> check,
            Function<? super T, String> format, Function<Config, T> get) {
        this.name = name;
        this.type = type;
        this.def = def;
        this.min = min;
        this.max = max;
        this.doc = doc;
        this.read = read;
        this.check = check;
        this.format = format;
        this.get = get;
    }

    /** The dotted name as an operator writes it in messages: {@code tftp.max_blksize}. */
    public String name() {
        return name;
    }

    /** The table the key sits in ({@code ""} for the top level, {@code dhcp.relay} for an array of tables). */
    public String section() {
        int i = name.lastIndexOf('.');
        return i < 0 ? "" : name.substring(0, i);
    }

    /** The name inside its table: {@code max_blksize}. */
    public String leaf() {
        int i = name.lastIndexOf('.');
        return i < 0 ? name : name.substring(i + 1);
    }

    /** The default, or {@code null} when it is derived from other values or the key is optional. */
    public T def() {
        return def;
    }

    /** Smallest accepted value, or {@code null} for no range. */
    public T min() {
        return min;
    }

    /** Largest accepted value, or {@code null} for no range. */
    public T max() {
        return max;
    }

    /** One line for people: what the key sets. {@code config.toml.dist} says it at length. */
    public String doc() {
        return doc;
    }

    /** Name, type, range, default and doc on one line, e.g. for a missing key in {@code config.toml.dist}. */
    public String describe() {
        return name + " (" + type + (min == null ? "" : ", " + min + ".." + max)
                + (def == null ? "" : ", default " + toml(def)) + "): " + doc;
    }

    /**
     * Reads and checks the key from {@code table} (null: the table is absent).
     *
     * @return the value, the default when absent, or {@code null} when absent without a default
     */
    T read(TomlReader r, TomlTable table) throws ConfigException {
        T v = read.read(r, table, this);
        if (v != null && check != null) {
            String problem = check.problem(v);
            if (problem != null) {
                throw r.invalid(name, problem);
            }
        }
        return v;
    }

    /** {@code value} as a TOML value. */
    String toml(T value) {
        return format.apply(value);
    }

    /** The key's value in {@code c}; {@code null} for keys inside arrays of tables, written per entry. */
    T of(Config c) {
        return get == null ? null : get.apply(c);
    }

    /** This key with a check on its value alone. */
    Key<T> checked(Check<T> c) {
        return new Key<>(name, type, def, min, max, doc, read, c, format, get);
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------- types

    static Key<String> string(String name, String def, String doc, Function<Config, String> get) {
        return new Key<>(name, "string", def, null, null, doc, (r, t, k) -> r.string(t, k.name, k.def), null,
                ConfigWriter::q, get);
    }

    /**
     * A string that must not be printed: the implied config ({@code -v}) shows {@code "<set>"}
     * instead of the value when one is set.
     */
    static Key<String> secret(String name, String doc, Function<Config, String> get) {
        return new Key<>(name, "string", "", null, null, doc, (r, t, k) -> r.string(t, k.name, k.def), null,
                v -> v.isEmpty() ? ConfigWriter.q("") : ConfigWriter.q("<set>"), get);
    }

    /** A plain file name under {@code tftp/}. */
    static Key<String> fileName(String name, String def, String doc, Function<Config, String> get) {
        return new Key<>(name, "file name", def, null, null, doc, (r, t, k) -> r.fileName(t, k.name, k.def), null,
                ConfigWriter::q, get);
    }

    static Key<Boolean> bool(String name, boolean def, String doc, Function<Config, Boolean> get) {
        return new Key<>(name, "boolean", def, null, null, doc, (r, t, k) -> r.bool(t, k.name, k.def), null,
                String::valueOf, get);
    }

    /** A boolean without a default: absent is {@code null} (the loader derives the value). */
    static Key<Boolean> optBool(String name, String doc, Function<Config, Boolean> get) {
        return new Key<>(name, "boolean", null, null, null, doc,
                (r, t, k) -> t == null || !t.contains(k.leaf()) ? null : r.bool(t, k.name, false), null,
                String::valueOf, get);
    }

    static Key<Integer> integer(String name, int def, int min, int max, String doc, Function<Config, Integer> get) {
        return new Key<>(name, "integer", def, min, max, doc, (r, t, k) -> r.intIn(t, k.name, k.def, k.min, k.max),
                null, String::valueOf, get);
    }

    static Key<Integer> port(String name, int def, String doc, Function<Config, Integer> get) {
        return integer(name, def, 1, 65535, doc, get);
    }

    static Key<Duration> duration(String name, Duration def, Duration min, Duration max, String doc,
            Function<Config, Duration> get) {
        return new Key<>(name, "duration", def, min, max, doc,
                (r, t, k) -> r.durationIn(t, k.name, k.def, k.min, k.max), null,
                d -> ConfigWriter.q(ConfigWriter.duration(d)), get);
    }

    /** A size in bytes (a number or {@code 512M}, {@code 20G}); {@code min == null}: no range. */
    static Key<Long> size(String name, long def, Long min, Long max, String doc, Function<Config, Long> get) {
        return new Key<>(name, "size", def, min, max, doc,
                (r, t, k) -> k.min == null ? r.size(t, k.name, k.def) : r.sizeIn(t, k.name, k.def, k.min, k.max),
                null, n -> ConfigWriter.q(ConfigWriter.size(n)), get);
    }

    /** An IPv4 address; absent or {@code ""}: {@code null} (the loader derives the default). */
    static Key<Inet4Address> ip(String name, String doc, Function<Config, Inet4Address> get) {
        return new Key<>(name, "IPv4 address", null, null, null, doc, (r, t, k) -> r.optIp(t, k.name).orElse(null),
                null, a -> ConfigWriter.q(a == null ? "" : Ipv4.text(a)), get);
    }

    /** An IPv6 address; absent or {@code ""}: {@code null} (the loader derives the default). */
    static Key<java.net.Inet6Address> ip6(String name, String doc, Function<Config, java.net.Inet6Address> get) {
        return new Key<>(name, "IPv6 address", null, null, null, doc, (r, t, k) -> r.optIp6(t, k.name).orElse(null),
                null, a -> ConfigWriter.q(a == null ? "" : Config.Dhcp6.text(a)), get);
    }

    /** A list of IPv4 addresses; absent: {@code null} (the loader derives the default). */
    static Key<List<Inet4Address>> ips(String name, String doc, Function<Config, List<Inet4Address>> get) {
        return new Key<>(name, "list of IPv4 addresses", null, null, null, doc,
                (r, t, k) -> r.ipList(t, k.name).orElse(null), null, ConfigWriter::ips, get);
    }

    /** An http:// URL; without a default an absent key is {@code null}. */
    static Key<URI> url(String name, String def, String doc, Function<Config, URI> get) {
        return new Key<>(name, "http:// URL", def == null ? null : URI.create(def), null, null, doc,
                (r, t, k) -> k.def == null && r.optString(t, k.name).isEmpty() ? null
                        : r.httpUri(t, k.name, k.def == null ? null : k.def.toString()),
                null, u -> ConfigWriter.q(u.toString()), get);
    }

    static Key<Config.DhcpMode> mode(String name, Config.DhcpMode def, String doc,
            Function<Config, Config.DhcpMode> get) {
        return new Key<>(name, "full, proxy or off", def, null, null, doc, (r, t, k) -> r.mode(t, k.name, k.def),
                null, m -> ConfigWriter.q(m.name().toLowerCase(Locale.ROOT)), get);
    }

    /**
     * A key inside an array of tables ({@code [[dhcp.reservation]]}, {@code [[dhcp.relay]]}): the loader
     * reads each entry itself, to name the entry in its messages, and the writer writes per entry.
     */
    static <T> Key<T> entry(String name, String type, String doc, Function<? super T, String> format) {
        return new Key<>(name, type, null, null, null, doc, (r, t, k) -> {
            throw new IllegalStateException(k.name + " is read per entry");
        }, null, format, null);
    }
}
