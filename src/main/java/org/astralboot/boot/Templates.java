package org.astralboot.boot;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;

/**
 * Mustache templates: the built-in set (the repository's {@code templates/} folder, packaged into
 * the jar under {@code /templates/}) and per-OS overrides or additions in the boot tree at
 * {@code boot/<os>/template/<name>.mustache}.
 *
 * <p>Compiled with HTML escaping off (iPXE scripts, preseed and YAML are not HTML) and strictly: a
 * missing variable or section is an error, never an empty string (the original rendered silently
 * broken files). iPXE's own {@code ${net0/mac}} syntax passes through untouched. Values that go into
 * YAML or shell are quoted by the {@code yaml} and {@code sh} lambdas (see {@link Quoting}).
 */
public final class Templates {
    /** Template files end in this. */
    public static final String SUFFIX = ".mustache";
    /** Built-in template names. */
    public static final List<String> BUILTIN =
            List.of("entry", "menu", "class-menu", "chosen", "boot", "local", "preseed", "cloud-config");
    static final int MAX_TEMPLATE = 256 * 1024;

    private final BootStore store;
    private final Mustache.Compiler compiler;
    private final Map<String, Template> builtin = new ConcurrentHashMap<>();
    private final Map<TreePath, Compiled> overrides = new ConcurrentHashMap<>();

    private record Compiled(String etag, Template template) {
    }

    public Templates(BootStore store) {
        this.store = store;
        this.compiler = Mustache.compiler()
                .escapeHTML(false)
                .strictSections(true)
                .emptyStringIsFalse(true)
                .withLoader(name -> {
                    throw new IOException("partials ({{> " + name + "}}) are not supported");
                });
    }

    /** Lambdas every render context gets: {@code {{#yaml}}x{{/yaml}}}, {@code {{#sh}}x{{/sh}}}. */
    public static final Map<String, Object> LAMBDAS = Map.of(
            "yaml", (Mustache.Lambda) (frag, out) -> out.write(Quoting.yaml(frag.execute())),
            "sh", (Mustache.Lambda) (frag, out) -> out.write(Quoting.sh(frag.execute())));

    /** Compiles {@code text}; {@code name} is used in messages. */
    public Template compile(String text, String name) throws TemplateException {
        try {
            return compiler.compile(text);
        } catch (MustacheException e) {
            throw new TemplateException(name, e.getMessage(), e);
        }
    }

    /** Renders a compiled template, turning every failure into a {@link TemplateException}. */
    public static String execute(Template t, String name, Object context) throws TemplateException {
        try {
            return t.execute(context);
        } catch (MustacheException e) {
            throw new TemplateException(name, e.getMessage(), e);
        } catch (IllegalArgumentException e) { // a quoting lambda refused a value
            throw new TemplateException(name, e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new TemplateException(name, e.getMessage(), e);
        }
    }

    /** Renders {@code text} as a template (an os.toml cmdline). */
    public String renderText(String text, String name, Object context) throws TemplateException {
        return execute(compile(text, name), name, context);
    }

    /** The template files an OS ships in {@code boot/<os>/template/}, as template names. */
    public TreeSet<String> osTemplateNames(OsDefinition os) throws BootStoreException {
        TreeSet<String> out = new TreeSet<>();
        var dir = store.list(os.folder().resolve(new TreePath(List.of("template"))));
        if (dir.isPresent()) {
            for (BootStore.Entry e : dir.get()) {
                if (!e.directory() && e.name().endsWith(SUFFIX)) {
                    String n = e.name().substring(0, e.name().length() - SUFFIX.length());
                    if (OsDefinition.NAME.matcher(n).matches()) {
                        out.add(n);
                    }
                }
            }
        }
        return out;
    }

    /** Every template name available to machines of {@code os}: built-in ones and the OS's own. */
    public TreeSet<String> names(OsDefinition os) throws BootStoreException {
        TreeSet<String> out = new TreeSet<>(BUILTIN);
        if (os != null) {
            out.addAll(osTemplateNames(os));
        }
        return out;
    }

    /**
     * Finds template {@code name}: the OS's own file first, then the built-in one.
     *
     * @return empty when neither exists
     */
    public Optional<Template> find(String name, OsDefinition os) throws BootStoreException, TemplateException {
        return locate(name, os).map(Located::template);
    }

    /**
     * Renders template {@code name} (the OS's own, else the built-in one) with {@code context}.
     *
     * @return empty when no such template exists
     * @throws TemplateException naming the template's source (file path or "built-in name")
     */
    public Optional<String> render(String name, OsDefinition os, Object context)
            throws BootStoreException, TemplateException {
        Optional<Located> l = locate(name, os);
        if (l.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(execute(l.get().template(), l.get().source(), context));
    }

    private record Located(Template template, String source) {
    }

    private Optional<Located> locate(String name, OsDefinition os) throws BootStoreException, TemplateException {
        if (!OsDefinition.NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        if (os != null) {
            TreePath p;
            try {
                p = os.folder().resolve(TreePath.of("template", name + SUFFIX));
            } catch (InvalidPathException e) {
                return Optional.empty();
            }
            Optional<BootFile> f = store.file(p);
            if (f.isPresent()) {
                BootFile file = f.get();
                Compiled c = overrides.get(p);
                if (c == null || !c.etag().equals(file.etag())) {
                    String text;
                    try {
                        text = OsCatalog.readSmall(file, MAX_TEMPLATE);
                    } catch (BootStoreException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new TemplateException(p.toString(), "cannot read: " + e.getMessage(), e);
                    }
                    c = new Compiled(file.etag(), compile(text, p.toString()));
                    overrides.put(p, c);
                }
                return Optional.of(new Located(c.template(), p.toString()));
            }
        }
        if (!BUILTIN.contains(name)) {
            return Optional.empty();
        }
        Template t = builtin.get(name);
        if (t == null) {
            t = compile(readBuiltin(name), "built-in " + name);
            builtin.put(name, t);
        }
        return Optional.of(new Located(t, "built-in " + name));
    }

    /** Source text of a built-in template. */
    static String readBuiltin(String name) throws TemplateException {
        String res = "/templates/" + name + SUFFIX;
        try (InputStream in = Templates.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new TemplateException("built-in " + name, "resource " + res + " missing from the class path", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TemplateException("built-in " + name, e.getMessage(), e);
        }
    }

    /** Where template {@code name} of {@code os} comes from, for logs. */
    public String describe(String name, OsDefinition os) throws BootStoreException {
        if (os != null && osTemplateNames(os).contains(name)) {
            return os.folder() + "/template/" + name + SUFFIX;
        }
        return "built-in " + name;
    }
}
