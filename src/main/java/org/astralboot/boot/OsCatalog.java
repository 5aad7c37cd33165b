package org.astralboot.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The operating systems of a boot tree: one per folder under {@code boot/} that holds a valid
 * {@code os.toml}. Read through {@link BootStore}, so a local folder and an IPFS tree give the same
 * list. The tree is scanned on every {@link #list()} (adding an OS needs neither code nor restart);
 * each os.toml is parsed again only when its ETag changes, so a broken file is reported once per
 * version rather than on every request.
 *
 * <p>A broken os.toml (syntax error, missing or mistyped key, unsafe name) is logged as a warning
 * naming the file and the error, and that OS is left out; the others are still served.
 */
public final class OsCatalog {
    private static final Logger log = LoggerFactory.getLogger(OsCatalog.class);
    /** os.toml larger than this is refused (a boot description is a few hundred bytes). */
    static final int MAX_OS_TOML = 64 * 1024;
    private static final TreePath BOOT = new TreePath(List.of("boot"));
    private static final Set<String> KEYS = Set.of("description", "kernel", "initrd", "cmdline", "classes", "vars");

    private final BootStore store;
    private final Templates templates;
    /** Parse results by os.toml path, with the ETag they were parsed from. */
    private final Map<TreePath, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String etag, OsDefinition os, String error) {
    }

    public OsCatalog(BootStore store, Templates templates) {
        this.store = store;
        this.templates = templates;
    }

    /** The valid operating systems, sorted by name. */
    public List<OsDefinition> list() throws BootStoreException {
        Optional<List<BootStore.Entry>> entries = store.list(BOOT);
        if (entries.isEmpty()) {
            log.warn("boot tree {} has no boot/ folder: no operating systems to offer", store.describe());
            return List.of();
        }
        List<OsDefinition> out = new ArrayList<>();
        Set<TreePath> seen = new HashSet<>();
        for (BootStore.Entry e : entries.get()) {
            if (!e.directory()) {
                continue;
            }
            TreePath tomlPath = new TreePath(List.of("boot", e.name(), "os.toml"));
            seen.add(tomlPath);
            if (!OsDefinition.NAME.matcher(e.name()).matches()) {
                Parsed p = parsed.get(tomlPath);
                if (p == null) {
                    parsed.put(tomlPath, new Parsed("", null, "bad name"));
                    log.warn("boot/{}: skipped, OS folder names must match {}", e.name(), OsDefinition.NAME);
                }
                continue;
            }
            Optional<BootFile> f = store.file(tomlPath);
            if (f.isEmpty()) {
                if (parsed.put(tomlPath, new Parsed("", null, "missing")) == null) {
                    log.warn("{}: missing, folder boot/{} skipped", tomlPath, e.name());
                }
                continue;
            }
            BootFile file = f.get();
            Parsed p = parsed.get(tomlPath);
            if (p == null || !p.etag().equals(file.etag())) {
                p = parse(e.name(), file);
                parsed.put(tomlPath, p);
                if (p.os() == null) {
                    log.warn("{}: {}; OS {} skipped", tomlPath, p.error(), e.name());
                }
            }
            if (p.os() != null) {
                out.add(p.os());
            }
        }
        parsed.keySet().retainAll(seen);
        return out;
    }

    /** The OS named {@code name}, when it exists and its os.toml is valid. */
    public Optional<OsDefinition> find(String name) throws BootStoreException {
        for (OsDefinition os : list()) {
            if (os.name().equals(name)) {
                return Optional.of(os);
            }
        }
        return Optional.empty();
    }

    private Parsed parse(String name, BootFile file) throws BootStoreException {
        String text;
        try {
            text = readSmall(file, MAX_OS_TOML);
        } catch (BootStoreException e) {
            if (e.kind() == BootStoreException.Kind.UNAVAILABLE) {
                throw e;
            }
            return new Parsed(file.etag(), null, "cannot read: " + e.getMessage());
        } catch (IOException e) {
            return new Parsed(file.etag(), null, "cannot read: " + e.getMessage());
        }
        try {
            return new Parsed(file.etag(), parse(name, file.path(), text), null);
        } catch (OsTomlException e) {
            return new Parsed(file.etag(), null, e.getMessage());
        }
    }

    /** Reads a small text file whole, refusing files over {@code max} bytes. */
    static String readSmall(BootFile file, int max) throws IOException {
        if (file.size() > max) {
            throw new IOException("larger than " + max + " bytes");
        }
        try (InputStream in = file.open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A problem in one os.toml. */
    static final class OsTomlException extends Exception {
        private static final long serialVersionUID = 1L;

        OsTomlException(String message) {
            super(message);
        }
    }

    /** Parses and validates the os.toml of OS {@code name}; pure, for tests. */
    OsDefinition parse(String name, TreePath source, String text) throws OsTomlException {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError err = toml.errors().get(0);
            throw new OsTomlException("syntax error: " + err.getMessage());
        }
        for (String key : toml.keySet()) {
            if (!KEYS.contains(key)) {
                log.warn("{}: unknown key '{}' ignored (known: {})", source, key, KEYS);
            }
        }
        String description = optString(toml, "description", name);
        if (description.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new OsTomlException("'description' must be a single line without control characters");
        }
        String kernelText = optString(toml, "kernel", null);
        if (kernelText == null || kernelText.isBlank()) {
            throw new OsTomlException("'kernel' (a file under images/) is required");
        }
        TreePath kernel = imagePath("kernel", kernelText);
        List<TreePath> initrds = new ArrayList<>();
        Set<String> initrdNames = new HashSet<>();
        for (String s : stringArray(toml, "initrd")) {
            TreePath p = imagePath("initrd", s);
            if (!initrdNames.add(p.name())) {
                throw new OsTomlException("two initrds named '" + p.name() + "' (iPXE and the kernel know them by base name)");
            }
            initrds.add(p);
        }
        String cmdline = optString(toml, "cmdline", "");
        if (cmdline.indexOf('\n') >= 0 || cmdline.indexOf('\r') >= 0) {
            throw new OsTomlException("'cmdline' must be a single line");
        }
        try {
            templates.compile(cmdline, source + " cmdline");
        } catch (TemplateException e) {
            throw new OsTomlException("'cmdline' is not a valid template: " + e.getMessage());
        }
        List<String> classes = new ArrayList<>();
        for (String c : stringArray(toml, "classes")) {
            if (!OsDefinition.NAME.matcher(c).matches()) {
                throw new OsTomlException("class '" + c + "' must match " + OsDefinition.NAME);
            }
            if (classes.contains(c)) {
                throw new OsTomlException("class '" + c + "' listed twice");
            }
            classes.add(c);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        if (toml.contains("vars")) {
            if (!toml.isTable("vars")) {
                throw new OsTomlException("'vars' must be a table");
            }
            TomlTable t = toml.getTable("vars");
            vars.putAll(t.toMap());
            vars.replaceAll((k, v) -> plain(v));
        }
        return new OsDefinition(name, description, kernel, initrds, cmdline, classes, vars, source);
    }

    /** TOML tables and arrays as plain maps and lists, which Mustache walks. */
    private static Object plain(Object v) {
        if (v instanceof TomlTable t) {
            Map<String, Object> m = new LinkedHashMap<>(t.toMap());
            m.replaceAll((k, x) -> plain(x));
            return m;
        }
        if (v instanceof TomlArray a) {
            List<Object> l = new ArrayList<>(a.toList());
            l.replaceAll(OsCatalog::plain);
            return l;
        }
        return v;
    }

    private static TreePath imagePath(String key, String text) throws OsTomlException {
        try {
            TreePath p = TreePath.parse(text);
            if (p.isRoot()) {
                throw new OsTomlException("'" + key + "' is empty");
            }
            return p;
        } catch (InvalidPathException e) {
            throw new OsTomlException("'" + key + "' = \"" + text + "\": " + e.getMessage()
                    + " (give a path relative to images/)");
        }
    }

    private static String optString(TomlParseResult toml, String key, String dflt) throws OsTomlException {
        if (!toml.contains(key)) {
            return dflt;
        }
        if (!toml.isString(key)) {
            throw new OsTomlException("'" + key + "' must be a string");
        }
        return toml.getString(key);
    }

    private static List<String> stringArray(TomlParseResult toml, String key) throws OsTomlException {
        if (!toml.contains(key)) {
            return List.of();
        }
        if (toml.isString(key)) {
            return List.of(toml.getString(key)); // a single initrd written without brackets
        }
        if (!toml.isArray(key)) {
            throw new OsTomlException("'" + key + "' must be an array of strings");
        }
        TomlArray a = toml.getArray(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            Object v = a.get(i);
            if (!(v instanceof String s)) {
                throw new OsTomlException("'" + key + "' must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }
}
