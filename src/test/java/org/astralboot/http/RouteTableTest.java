package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which route a path and method reach, and which refusal comes first when none does. */
class RouteTableTest {
    private final RouteTable<List<String>> table = new RouteTable<List<String>>()
            .exact("/boot.ipxe", (r, p) -> r.add("entry"))
            .family("ipxe", true, "no such iPXE route: ")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> r.add("start " + mac))
            .on("ipxe", RouteTable.READ, (r, mac, a) -> r.add("choose " + mac + " " + Arrays.toString(a)), "choose", "*")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> r.add("choose " + mac + " " + Arrays.toString(a)), "choose", "*", "*")
            .family("machine", false, "no such machine route: ")
            .on("machine", RouteTable.HOOK, (r, mac, a) -> r.add("installed " + mac), "installed")
            .on("machine", RouteTable.READ, (r, mac, a) -> r.add("status " + mac))
            .prefix("/tftp/", (r, rest) -> r.add("tftp " + rest));

    private String route(String path, HttpString method) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        table.dispatch(out, path, method);
        assertEquals(1, out.size(), out.toString());
        return out.get(0);
    }

    private HttpError refused(String path, HttpString method) {
        return assertThrows(HttpError.class, () -> table.dispatch(new java.util.ArrayList<>(), path, method));
    }

    @Test
    void pathsReachTheirRoutes() throws Exception {
        assertEquals("entry", route("/boot.ipxe", Methods.HEAD));
        assertEquals("start 52:54:00:12:34:56", route("/ipxe/52-54-00-12-34-56", Methods.GET));
        assertEquals("start 52:54:00:12:34:56", route("//ipxe//52-54-00-12-34-56/", Methods.GET)); // empty segments
        assertEquals("choose 52:54:00:12:34:56 [flatcar]", route("/ipxe/52-54-00-12-34-56/choose/flatcar", Methods.GET));
        assertEquals("choose 52:54:00:12:34:56 [flatcar, worker]",
                route("/ipxe/52-54-00-12-34-56/choose/flatcar/worker", Methods.GET));
        assertEquals("installed 52:54:00:12:34:56", route("/machine/52-54-00-12-34-56/installed", Methods.PUT));
        assertEquals("status 52:54:00:12:34:56", route("/machine/52-54-00-12-34-56", Methods.GET));
        assertEquals("tftp a/../b", route("/tftp/a/../b", Methods.GET)); // the rest stays raw for TreePath
    }

    @Test
    void refusalsInTheirOrder() {
        assertEquals(405, refused("/boot.ipxe", Methods.POST).status());
        // iPXE routes are read-only: the method is refused before the MAC is looked at
        assertEquals(405, refused("/ipxe/not-a-mac", Methods.POST).status());
        assertEquals("not a MAC address: not-a-mac", refused("/ipxe/not-a-mac", Methods.GET).getMessage());
        // machine routes: the MAC first, then the route, then its methods
        assertEquals(404, refused("/machine/not-a-mac", Methods.POST).status());
        assertEquals("no such machine route: /machine/52-54-00-12-34-56/x",
                refused("/machine/52-54-00-12-34-56/x", Methods.POST).getMessage());
        assertEquals("only GET and HEAD", refused("/machine/52-54-00-12-34-56", Methods.POST).getMessage());
        assertEquals("use GET or POST", refused("/machine/52-54-00-12-34-56/installed", Methods.DELETE).getMessage());
        assertEquals("no such iPXE route: /ipxe/52-54-00-12-34-56/choose",
                refused("/ipxe/52-54-00-12-34-56/choose", Methods.GET).getMessage());
        assertEquals("no such route: /ipxe", refused("/ipxe", Methods.GET).getMessage());
        assertEquals("no such route: /tftp", refused("/tftp", Methods.GET).getMessage());
    }

    @Test
    void requestCountersNameFewFixedRouteFamilies() {
        assertEquals("entry", BootHandler.routeName("/boot.ipxe"));
        assertEquals("ipxe", BootHandler.routeName("/ipxe/52-54-00-12-34-56/menu"));
        assertEquals("os", BootHandler.routeName("/os/debian/images/linux"));
        assertEquals("file", BootHandler.routeName("/file/abc123/vmlinuz"));
        assertEquals("tftp", BootHandler.routeName("/tftp/undionly.kpxe"));
        assertEquals("other", BootHandler.routeName("/filex"));
        assertEquals("root", BootHandler.routeName("/"));
    }
}
