package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CmdlineTest {
    static final Cmdline.Files F = ref -> "<" + ref + ">";

    @Test
    void urlAndIdActionsInGoSpellings() throws Exception {
        assertEquals("a=<x> b=<y z> c=<q\"r> d", Cmdline.render("a={{ URL \"x\" }} b={{ID \"y z\"}} c={{- URL \"q\\\"r\" -}} d", F));
        assertEquals("plain text", Cmdline.render("plain text", F));
    }

    @Test
    void otherActionsAreRefused() {
        assertThrows(Cmdline.BadReference.class, () -> Cmdline.render("x={{ .MAC }}", F));
        assertThrows(Cmdline.BadReference.class, () -> Cmdline.render("x={{ URL \"a\" }} y={{ file \"b\" }}", F));
    }
}
