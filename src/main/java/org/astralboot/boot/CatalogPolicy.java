package org.astralboot.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.Ignore;
import org.astralboot.boot.BootDecision.LocalDisk;
import org.astralboot.boot.BootDecision.Menu;
import org.astralboot.boot.BootDecision.View;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot tree's policy, Astralboot's own: a machine that has not chosen gets the OS menu; one
 * that chose boots its OS (with a few seconds to call the menu); one whose installer reported the
 * end boots from its local disk. A choice the tree no longer offers falls back to the menu. The
 * machine's state is its {@link MachineRegistry} record; what the tree offers is the
 * {@link OsCatalog}; the template data comes from {@link MachineContext}.
 *
 * <p>Besides {@link #decide}, the menu routes of the tree use {@link #menu}, {@link #classMenu},
 * {@link #choose} and {@link #bootAgain}.
 */
public final class CatalogPolicy implements BootPolicy {
    private static final Logger log = LoggerFactory.getLogger(CatalogPolicy.class);

    /**
     * The {@code [menu]} settings.
     *
     * @param defaultOs      OS the menu picks when nobody chooses; "" waits for a choice
     * @param timeoutSeconds how long the menu waits before it picks {@code defaultOs}
     */
    public record Settings(String defaultOs, int timeoutSeconds) {
        public Settings {
            defaultOs = defaultOs == null ? "" : defaultOs;
        }
    }

    private final Settings settings;
    private final BootStore store;
    private final OsCatalog catalog;
    private final MachineRegistry registry;
    private final MachineContext context;

    public CatalogPolicy(Settings settings, BootStore store, OsCatalog catalog, MachineRegistry registry,
            MachineContext context) {
        this.settings = settings;
        this.store = store;
        this.catalog = catalog;
        this.registry = registry;
        this.context = context;
    }

    @Override
    public BootDecision decide(MachineRequest r) throws BootStoreException, TemplateException {
        Machine m = r.machine().orElse(null);
        if (m == null || m.state() == MachineState.NEW) {
            return menu(r, "");
        }
        Optional<OsDefinition> os = catalog.find(m.os());
        if (m.state() == MachineState.INSTALLED) {
            // The OS lives on the disk now: boot it even if the tree no longer offers that OS.
            Map<String, Object> ctx;
            if (os.isPresent()) {
                ctx = context.forOs(r.mac(), r.sourceIp(), os.get(), m.osClass(), r.key());
            } else {
                ctx = context.basic(r.mac(), r.sourceIp(), r.key());
                ctx.put("os", m.os());
                ctx.put("os_description", m.os());
                ctx.put("class", m.osClass());
                ctx.put("has_class", !m.osClass().isEmpty());
            }
            return new LocalDisk(m.os(), new View("local", os.orElse(null), ctx));
        }
        if (os.isEmpty() || (os.get().hasClasses() && !os.get().classes().contains(m.osClass()))) {
            return menu(r, "machine " + r.mac() + " chose " + m.os() + "/" + m.osClass()
                    + ", which the boot tree no longer offers: menu");
        }
        return boot(r, os.get(), m.osClass(), "chosen");
    }

    /** The OS menu, whatever the machine's state. */
    public Menu menu(MachineRequest r) throws BootStoreException {
        return menu(r, "");
    }

    private Menu menu(MachineRequest r, String why) throws BootStoreException {
        MacAddress mac = r.mac();
        String q = MachineContext.keyQuery(r.key());
        Map<String, Object> ctx = context.basic(mac, r.sourceIp(), r.key());
        // The stored record, not the request's: a HEAD for an unknown machine has no record yet.
        Machine m = registry.get(mac).orElse(null);
        boolean installed = m != null && m.state() == MachineState.INSTALLED;
        ctx.put("installed", installed);
        ctx.put("os", m == null ? "" : m.os());
        ctx.put("class", m == null ? "" : m.osClass());
        List<OsDefinition> oses = catalog.list();
        List<Map<String, Object>> items = new ArrayList<>();
        String u = context.base(r.sourceIp()) + "/ipxe/" + MachineContext.urlMac(mac);
        for (OsDefinition os : oses) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", os.name());
            item.put("description", os.description());
            item.put("has_classes", os.hasClasses());
            item.put("classes", os.classes());
            item.put("url", os.hasClasses() ? u + "/classes/" + os.name() + q : u + "/choose/" + os.name() + q);
            items.add(item);
        }
        ctx.put("oses", items);
        ctx.put("choose_args", chooseArgs(oses, installed));
        return new Menu(new View("menu", null, ctx), why);
    }

    /**
     * {@code --default X --timeout N } for iPXE's choose, from [menu] default and timeout. For an
     * installed machine the default is the local disk, so a menu left alone never reinstalls it.
     */
    private String chooseArgs(List<OsDefinition> oses, boolean installed) {
        String configured = settings.defaultOs();
        if (configured.isEmpty()) {
            return "";
        }
        String d = installed ? "local" : configured;
        String item;
        if (d.equals("local") || d.equals("shell")) {
            item = d;
        } else if (oses.stream().anyMatch(o -> o.name().equals(d))) {
            item = "os-" + d;
        } else {
            log.warn("[menu] default = \"{}\" is not an OS of the boot tree; the menu waits for a choice", d);
            return "";
        }
        return "--default " + item + " --timeout " + Math.max(0, settings.timeoutSeconds()) * 1000L + " ";
    }

    /** The class menu of {@code os}, an OS {@linkplain OsDefinition#hasClasses() with classes}. */
    public View classMenu(MachineRequest r, OsDefinition os) throws BootStoreException, TemplateException {
        Map<String, Object> ctx = context.forOs(r.mac(), r.sourceIp(), os, "", r.key());
        String u = context.base(r.sourceIp()) + "/ipxe/" + MachineContext.urlMac(r.mac()) + "/choose/" + os.name() + "/";
        List<Map<String, Object>> items = new ArrayList<>();
        for (String c : os.classes()) {
            items.add(Map.of("name", c, "url", u + c + MachineContext.keyQuery(r.key())));
        }
        ctx.put("class_items", items);
        return new View("class-menu", os, ctx);
    }

    /**
     * The machine's choice from the menu: {@code os} with {@code osClass} ("" for none), both
     * offered by the tree (the caller checked). When {@code keep}, the choice is recorded, so the
     * next boot repeats it; then the boot script.
     *
     * @return {@link Boot}, or {@link Ignore} when a boot file is missing from the tree
     */
    public BootDecision choose(MachineRequest r, OsDefinition os, String osClass, boolean keep)
            throws BootStoreException, TemplateException, java.io.IOException {
        Optional<Ignore> missing = missingBootFile(os);
        if (missing.isPresent()) {
            return missing.get();
        }
        if (keep) {
            registry.choose(r.mac(), r.sourceIp(), os.name(), osClass);
        }
        return boot(r, os, osClass, "boot");
    }

    /**
     * The boot script of the machine's recorded choice ({@code chosen}'s target after the menu
     * key's seconds).
     *
     * @return {@link Boot}, or {@link Ignore} for a machine without a choice, an OS gone from the
     *         tree or a missing boot file
     */
    public BootDecision bootAgain(MachineRequest r) throws BootStoreException, TemplateException {
        Machine m = r.machine().orElse(null);
        if (m == null) {
            return new Ignore("unknown machine " + r.mac());
        }
        if (m.state() == MachineState.NEW) {
            return new Ignore("machine " + r.mac() + " has not chosen an OS");
        }
        Optional<OsDefinition> os = OsDefinition.NAME.matcher(m.os()).matches() ? catalog.find(m.os()) : Optional.empty();
        if (os.isEmpty()) {
            return new Ignore("unknown OS: " + m.os());
        }
        Optional<Ignore> missing = missingBootFile(os.get());
        if (missing.isPresent()) {
            return missing.get();
        }
        return boot(r, os.get(), m.osClass(), "boot");
    }

    private Boot boot(MachineRequest r, OsDefinition os, String osClass, String template)
            throws BootStoreException, TemplateException {
        Map<String, Object> ctx = context.forOs(r.mac(), r.sourceIp(), os, osClass, r.key());
        List<String> initrds = new ArrayList<>();
        for (Object i : (List<?>) ctx.get("initrds")) {
            initrds.add((String) ((Map<?, ?>) i).get("url"));
        }
        return new Boot(os.name() + (osClass.isEmpty() ? "" : "/" + osClass), (String) ctx.get("kernel_url"),
                initrds, (String) ctx.get("cmdline"), new View(template, os, ctx));
    }

    /** The kernel and initrds must exist before a machine is told to boot them. */
    private Optional<Ignore> missingBootFile(OsDefinition os) throws BootStoreException {
        List<TreePath> files = new ArrayList<>();
        files.add(os.kernel());
        files.addAll(os.initrds());
        for (TreePath p : files) {
            TreePath full = os.images().resolve(p);
            if (store.file(full).isEmpty()) {
                return Optional.of(new Ignore(full + " is missing from the boot tree (run scripts/fetch-boot-files?)"));
            }
        }
        return Optional.empty();
    }
}
