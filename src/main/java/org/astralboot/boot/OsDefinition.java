package org.astralboot.boot;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.astralboot.store.TreePath;

/**
 * One bootable operating system of the boot tree, read from {@code boot/<name>/os.toml}.
 *
 * @param name        the folder name: menu key, URL segment and template-data {@code os}
 * @param description menu label (one line)
 * @param kernel      the kernel, relative to {@code boot/<name>/images/}
 * @param initrds     initrds in load order, relative to {@code images/}; their base names are unique
 * @param cmdline     kernel command line, a Mustache template rendered per machine
 * @param classes     machine classes offered in a sub-menu; empty when the OS has none
 * @param vars        free-form {@code [vars]} table of os.toml, available to templates as {@code vars}
 * @param source      the os.toml file, for messages
 */
public record OsDefinition(
        String name,
        String description,
        TreePath kernel,
        List<TreePath> initrds,
        String cmdline,
        List<String> classes,
        Map<String, Object> vars,
        TreePath source) {

    /**
     * Names usable as OS folder names and class names: they appear unquoted in iPXE scripts (menu
     * labels, URLs) and kernel command lines, so nothing that iPXE or a shell would interpret.
     */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public OsDefinition {
        initrds = List.copyOf(initrds);
        classes = List.copyOf(classes);
        vars = Map.copyOf(vars);
    }

    public boolean hasClasses() {
        return !classes.isEmpty();
    }

    /** The folder of this OS in the tree: {@code boot/<name>}. */
    public TreePath folder() {
        return source.parent();
    }

    /** {@code boot/<name>/images}. */
    public TreePath images() {
        return new TreePath(List.of("boot", name, "images"));
    }
}
