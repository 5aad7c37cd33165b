package org.astralboot.http;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astralboot.boot.TemplateException;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootStoreException;

/**
 * The routes of the HTTP boot service as data: whole paths, machine routes
 * ({@code /<family>/<mac>/...}) and path prefixes, tried in that order. Matching works on the
 * decoded path text; a route's arguments stay raw for {@link org.astralboot.store.TreePath}. A
 * path no route takes is a 404, a method the route does not answer a 405.
 *
 * @param <R> the request as the routes' actions see it
 */
final class RouteTable<R> {
    static final Set<HttpString> READ = Set.of(Methods.GET, Methods.HEAD);
    /** The install end hook: wget and curl send GET or POST, some installers PUT. */
    static final Set<HttpString> HOOK = Set.of(Methods.GET, Methods.HEAD, Methods.POST, Methods.PUT);

    /** A route's work; {@code rest} is the path after a prefix route's prefix, else the path. */
    @FunctionalInterface
    interface Action<R> {
        void run(R req, String rest) throws HttpError, BootStoreException, TemplateException, IOException;
    }

    /** The work of a machine route; {@code args} are the path segments its {@code "*"} matched. */
    @FunctionalInterface
    interface MachineAction<R> {
        void run(R req, MacAddress mac, String[] args) throws HttpError, BootStoreException, TemplateException, IOException;
    }

    /** The segments after {@code /<family>/<mac>}, {@code "*"} matching any one, and the methods answered. */
    private record MachineRoute<R>(List<String> tail, Set<HttpString> methods, MachineAction<R> action) {
        boolean matches(String[] seg) {
            if (seg.length != tail.size()) {
                return false;
            }
            for (int i = 0; i < seg.length; i++) {
                if (!tail.get(i).equals("*") && !tail.get(i).equals(seg[i])) {
                    return false;
                }
            }
            return true;
        }

        String[] args(String[] seg) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < seg.length; i++) {
                if (tail.get(i).equals("*")) {
                    out.add(seg[i]);
                }
            }
            return out.toArray(String[]::new);
        }
    }

    /**
     * {@code readOnly}: every route of the family is GET/HEAD, checked before the MAC is parsed;
     * {@code notFound} starts the 404 message of a path none of its routes takes.
     */
    private record Family<R>(boolean readOnly, String notFound, List<MachineRoute<R>> routes) {
    }

    private final Map<String, Action<R>> exact = new LinkedHashMap<>();
    private final Map<String, Family<R>> families = new LinkedHashMap<>();
    private final Map<String, Action<R>> prefixed = new LinkedHashMap<>();

    /** {@code path} exactly, GET and HEAD. */
    RouteTable<R> exact(String path, Action<R> a) {
        exact.put(path, a);
        return this;
    }

    /** Paths starting with {@code prefix}, GET and HEAD; the action gets the rest of the path. */
    RouteTable<R> prefix(String prefix, Action<R> a) {
        prefixed.put(prefix, a);
        return this;
    }

    /** Declares the family {@code /<name>/<mac>/...}; its routes follow with {@link #on}. */
    RouteTable<R> family(String name, boolean readOnly, String notFound) {
        families.put(name, new Family<>(readOnly, notFound, new ArrayList<>()));
        return this;
    }

    /** A route of family {@code name}: the segments after the MAC. */
    RouteTable<R> on(String name, Set<HttpString> methods, MachineAction<R> a, String... tail) {
        families.get(name).routes().add(new MachineRoute<>(List.of(tail), methods, a));
        return this;
    }

    void dispatch(R req, String path, HttpString method) throws HttpError, BootStoreException, TemplateException, IOException {
        Action<R> whole = exact.get(path);
        if (whole != null) {
            require(method, READ);
            whole.run(req, path);
            return;
        }
        String[] seg = segments(path);
        Family<R> family = seg.length >= 2 ? families.get(seg[0]) : null;
        if (family != null) {
            if (family.readOnly()) {
                require(method, READ);
            }
            MacAddress mac = mac(seg[1]);
            String[] tail = Arrays.copyOfRange(seg, 2, seg.length);
            for (MachineRoute<R> r : family.routes()) {
                if (r.matches(tail)) {
                    require(method, r.methods());
                    r.action().run(req, mac, r.args(tail));
                    return;
                }
            }
            throw HttpError.notFound(family.notFound() + path);
        }
        for (Map.Entry<String, Action<R>> p : prefixed.entrySet()) {
            if (path.startsWith(p.getKey())) {
                require(method, READ);
                p.getValue().run(req, path.substring(p.getKey().length()));
                return;
            }
        }
        throw HttpError.notFound("no such route: " + path);
    }

    private static void require(HttpString method, Set<HttpString> allowed) throws HttpError {
        if (!allowed.contains(method)) {
            throw new HttpError(405, allowed == HOOK ? "use GET or POST" : "only GET and HEAD");
        }
    }

    /** Non-empty segments of the path. */
    private static String[] segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out.toArray(String[]::new);
    }

    private static MacAddress mac(String s) throws HttpError {
        try {
            return MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw HttpError.notFound("not a MAC address: " + BootHandler.printable(s));
        }
    }
}
