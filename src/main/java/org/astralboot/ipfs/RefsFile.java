package org.astralboot.ipfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code refs.toml} file naming the boot trees served in IPFS mode (see {@code refs.toml.dist}):
 *
 * <pre>
 * boot = "bafy..."            # a CID, /ipfs/&lt;cid&gt;/sub/path or /ipns/&lt;name&gt;: the whole boot tree
 * [os]
 * debian = "Qm..."            # the folder of one OS: replaces (or adds) boot/debian
 * </pre>
 *
 * A malformed entry does not fail the file: it is recorded in {@link #problems()} with a message
 * naming it, and the other entries keep working. Keys that are not refs at all are reported in
 * {@link #warnings()} and ignored. Only an unreadable or syntactically broken file
 * is fatal.
 */
public record RefsFile(Path file, Ref boot, Map<String, Ref> os, List<String> problems, List<String> warnings) {

    /** One reference: {@code name} is {@code boot} or {@code os.<name>}, {@code value} as written. */
    public record Ref(String name, String value) {
        /** True for {@code /ipns/...}, which is resolved through the node. */
        public boolean ipns() {
            return value.startsWith("/ipns/");
        }
    }

    /** CIDv0 (base58btc multihash) or a CIDv1 in a common multibase. */
    private static final Pattern CID = Pattern.compile(
            "Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{40,}|B[A-Z2-7]{40,}|z[1-9A-HJ-NP-Za-km-z]{40,}|f[0-9a-f]{40,}|k[0-9a-z]{40,}");
    private static final Pattern SEGMENT = Pattern.compile("[^/\\\\\\x00-\\x1f%]+");
    private static final Pattern OS_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public RefsFile {
        os = Collections.unmodifiableMap(new LinkedHashMap<>(os));
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException when it cannot be read or is not valid TOML (the message names the file
     *                     and the line)
     */
    public static RefsFile load(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("refs file " + file + " not found (copy refs.toml.dist to refs.toml, or run "
                    + "'astralboot publish')", e);
        }
        return parse(file, text);
    }

    static RefsFile parse(Path file, String text) throws IOException {
        TomlParseResult t = Toml.parse(text);
        if (t.hasErrors()) {
            throw new IOException("refs file " + file + ": " + t.errors().get(0).toString());
        }
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Ref boot = null;
        Map<String, Ref> os = new LinkedHashMap<>();
        for (String key : t.keySet()) {
            Object v = t.get(key);
            switch (key) {
                case "boot" -> {
                    if (v instanceof String s) {
                        String bad = check(s);
                        if (bad == null) {
                            boot = new Ref("boot", s.strip());
                        } else {
                            problems.add("ref boot = \"" + s + "\": " + bad);
                        }
                    } else {
                        problems.add("ref boot: must be a string (a CID, /ipfs/ path or /ipns/ name)");
                    }
                }
                case "os" -> {
                    if (v instanceof TomlTable tab) {
                        for (String name : tab.keySet()) {
                            Object ov = tab.get(List.of(name));
                            if (!OS_NAME.matcher(name).matches()) {
                                problems.add("ref os." + name + ": not a usable OS folder name");
                            } else if (!(ov instanceof String s)) {
                                problems.add("ref os." + name + ": must be a string (a CID, /ipfs/ path or /ipns/ name)");
                            } else {
                                String bad = check(s);
                                if (bad == null) {
                                    os.put(name, new Ref("os." + name, s.strip()));
                                } else {
                                    problems.add("ref os." + name + " = \"" + s + "\": " + bad);
                                }
                            }
                        }
                    } else {
                        problems.add("ref os: must be a table [os] of <os name> = \"<CID>\"");
                    }
                }
                // rocket/spawn were keys of the 2015 program; say so rather than fail.
                case "rocket", "spawn" -> warnings.add("ref " + key + ": not supported any more, ignored");
                default -> warnings.add("key " + key + ": unknown key, ignored");
            }
        }
        return new RefsFile(file, boot, os, problems, warnings);
    }

    /** Why {@code ref} is not a usable CID, /ipfs/ path or /ipns/ name; null when it is. */
    static String check(String ref) {
        String s = ref.strip();
        if (s.isEmpty()) {
            return "empty";
        }
        if (s.startsWith("/ipns/")) {
            String rest = s.substring(6);
            for (String seg : rest.split("/", -1)) {
                if (!SEGMENT.matcher(seg).matches() || seg.equals("..") || seg.equals(".")) {
                    return "not a valid /ipns/ name";
                }
            }
            return null;
        }
        String p = s.startsWith("/ipfs/") ? s.substring(6) : s;
        String[] segs = p.split("/", -1);
        if (!CID.matcher(segs[0]).matches()) {
            return "not a CID";
        }
        for (int i = 1; i < segs.length; i++) {
            if (i == segs.length - 1 && segs[i].isEmpty()) {
                continue; // trailing slash
            }
            if (!SEGMENT.matcher(segs[i]).matches() || segs[i].equals("..") || segs[i].equals(".")) {
                return "bad path segment '" + segs[i] + "'";
            }
        }
        return null;
    }

    /** Every usable ref: boot first, then the OS overrides. */
    public List<Ref> all() {
        List<Ref> l = new ArrayList<>();
        if (boot != null) {
            l.add(boot);
        }
        l.addAll(os.values());
        return l;
    }

    private static final Pattern BOOT_LINE = Pattern.compile("^\\s*boot\\s*=.*$");
    private static final Pattern TABLE_LINE = Pattern.compile("^\\s*\\[.*$");

    /**
     * Sets {@code boot = "<cid>"} in {@code file}, keeping every other line (comments, {@code [os]}
     * entries) as it is. The first top-level {@code boot} line is replaced; without one, the line
     * is inserted before the first table. The file is replaced atomically.
     */
    public static void writeBoot(Path file, String cid) throws IOException {
        if (check(cid) != null) {
            throw new IllegalArgumentException("not a CID: " + cid);
        }
        List<String> lines = Files.exists(file)
                ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
        String line = "boot = \"" + cid + "\"";
        boolean done = false;
        int firstTable = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (TABLE_LINE.matcher(l).matches()) {
                firstTable = i;
                break;
            }
            if (BOOT_LINE.matcher(l).matches()) {
                String comment = trailingComment(l);
                lines.set(i, comment == null ? line : line + " " + comment);
                done = true;
                break;
            }
        }
        if (!done) {
            if (firstTable < 0) {
                lines.add(line);
            } else {
                lines.add(firstTable, line);
                lines.add(firstTable + 1, "");
            }
        }
        String text = String.join("\n", lines) + "\n";
        parse(file, text); // never write a file we could not read back
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".refs", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A {@code # comment} after the value of a simple {@code key = "value"} line. */
    private static String trailingComment(String line) {
        int q1 = line.indexOf('"');
        int q2 = q1 < 0 ? -1 : line.indexOf('"', q1 + 1);
        int hash = line.indexOf('#', q2 < 0 ? 0 : q2 + 1);
        return hash < 0 ? null : line.substring(hash);
    }
}
