package org.astralboot.boot.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.boot.BootDecision;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.MachineRequest;

/**
 * A static boot ({@code astralboot boot KERNEL [INITRD...]}, Pixiecore's {@code boot}): every
 * machine that asks boots the same kernel, initrds and command line. A file is a local path (read
 * in place), an {@code http(s)} URL (fetched once and kept by content, not per boot as Pixiecore
 * does) or an IPFS path {@code /ipfs/<CID>[/path]} (read once through the IPFS node, verified
 * against its CID, kept by content); the machine gets Astralboot's signed URLs of them. In the command line, {@code {{ URL
 * "ref" }}} and {@code {{ ID "ref" }}} (Pixiecore's spelling) name a file the same way, relative
 * paths against the working folder.
 */
public final class StaticPolicy implements BootPolicy {
    private final String kernel;
    private final List<String> initrds;
    private final String cmdline;
    private final String message;
    /** Each command line reference as its source, checked once (files are not looked at per boot). */
    private final java.util.Map<String, String> refs = new java.util.HashMap<>();
    private final FileUrls urls;
    private final List<String> sources;

    /**
     * @param cwd folder relative paths are resolved against
     * @throws Cmdline.BadReference a file that does not exist, a URL of another scheme, a bad
     *                              template action
     */
    public StaticPolicy(String kernel, List<String> initrds, String cmdline, String message, FileUrls urls, Path cwd)
            throws Cmdline.BadReference {
        List<String> all = new ArrayList<>();
        this.kernel = source(kernel, cwd);
        all.add(this.kernel);
        List<String> ir = new ArrayList<>();
        for (String i : initrds) {
            ir.add(source(i, cwd));
        }
        all.addAll(ir);
        this.initrds = List.copyOf(ir);
        this.cmdline = cmdline == null ? "" : cmdline;
        Cmdline.render(this.cmdline, ref -> {
            String s = source(ref, cwd);
            all.add(s);
            refs.put(ref, s);
            return s;
        });
        this.message = message;
        this.urls = urls;
        this.sources = List.copyOf(all);
    }

    /** Every file the boot names (kernel, initrds, command line references), as sources. */
    public List<String> sources() {
        return sources;
    }

    /**
     * The boot, with signed URLs on the address the machine asked from (a machine that booted over
     * IPv6 fetches its kernel over IPv6).
     */
    @Override
    public BootDecision decide(MachineRequest machine) {
        String ip = machine.sourceIp();
        List<String> ir = new ArrayList<>();
        for (String s : initrds) {
            ir.add(urls.url(s, ip));
        }
        String line;
        try {
            line = Cmdline.render(cmdline, ref -> urls.url(refs.get(ref), ip));
        } catch (Cmdline.BadReference e) {
            throw new IllegalStateException("the command line rendered at start no longer renders", e);
        }
        return new Boot(FileUrls.nameOf(kernel), urls.url(kernel, ip), ir, line, null, message);
    }

    /** A CID as it appears in a path: multibase text, letters and digits only. */
    private static final java.util.regex.Pattern CID_TEXT = java.util.regex.Pattern.compile("[A-Za-z0-9]{8,}");

    /**
     * {@code /ipfs/<CID>[/path]} or {@code ipfs://<CID>[/path]} as the source {@code /ipfs/<CID>[/path]}
     * (read through the IPFS node, verified against the CID).
     */
    static String ipfsPath(String ref) throws Cmdline.BadReference {
        String rest = ref.startsWith("ipfs://") ? ref.substring("ipfs://".length()) : ref.substring("/ipfs/".length());
        int slash = rest.indexOf('/');
        String cid = slash < 0 ? rest : rest.substring(0, slash);
        if (!CID_TEXT.matcher(cid).matches() || rest.contains("?") || rest.contains("#")
                || java.util.Arrays.asList(rest.split("/")).contains("..")) {
            throw new Cmdline.BadReference(ref + ": not an IPFS path /ipfs/<CID>[/path]");
        }
        return "/ipfs/" + rest;
    }

    /**
     * {@code ref} as a source: an http(s) URL as given, an IPFS path as {@code /ipfs/<CID>[/path]}, a
     * local file as {@code file:} URI of its real path.
     */
    static String source(String ref, Path cwd) throws Cmdline.BadReference {
        if (ref.startsWith("http://") || ref.startsWith("https://")) {
            try {
                URI u = new URI(ref);
                if (u.getHost() == null) {
                    throw new Cmdline.BadReference("no host in " + ref);
                }
                return u.toString();
            } catch (URISyntaxException e) {
                throw new Cmdline.BadReference("not a URL: " + ref);
            }
        }
        if (ref.startsWith("/ipfs/") || ref.startsWith("ipfs://")) {
            return ipfsPath(ref);
        }
        if (ref.startsWith("/ipns/")) {
            throw new Cmdline.BadReference(ref + ": /ipns/ names are not read (their resolution cannot be verified);"
                    + " give the /ipfs/ path it resolves to");
        }
        if (ref.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new Cmdline.BadReference(ref + ": only local files and http(s) URLs");
        }
        Path p = cwd.resolve(ref).normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new Cmdline.BadReference("no readable file " + p);
        }
        try {
            return p.toRealPath().toUri().toString();
        } catch (java.io.IOException e) {
            throw new Cmdline.BadReference("cannot read " + p + ": " + e.getMessage());
        }
    }
}
