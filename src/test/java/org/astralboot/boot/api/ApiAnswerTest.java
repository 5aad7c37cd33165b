package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON of Pixiecore's README.api.md, including the deprecated object form of cmdline. */
class ApiAnswerTest {

    private static ApiAnswer parse(String json) throws ApiAnswer.Malformed {
        return ApiAnswer.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theReadmeExample() throws Exception {
        ApiAnswer a = parse("""
                {
                  "kernel": "https://files.local/kernel",
                  "initrd": ["https://files.local/initrd"],
                  "cmdline": "selinux=1 coreos.autologin",
                  "message": "Booting CoreOS"
                }""");
        assertEquals("https://files.local/kernel", a.kernel());
        assertEquals(List.of("https://files.local/initrd"), a.initrds());
        assertEquals("selinux=1 coreos.autologin", a.cmdline());
        assertEquals("Booting CoreOS", a.message());
        assertFalse(a.script());
    }

    @Test
    void ipxeScriptWinsAndNeedsNoKernel() throws Exception {
        ApiAnswer a = parse("{\"ipxe-script\": \"#!ipxe\\nchain http://x/y\\n\", \"unknown\": 3}");
        assertTrue(a.script());
        assertEquals("#!ipxe\nchain http://x/y\n", a.ipxeScript());
    }

    @Test
    void objectFormCmdlineAsPixiecoreRewritesIt() throws Exception {
        ApiAnswer a = parse("""
                {"kernel": "/k", "cmdline": {"quiet": true, "console": "ttyS0,115200", "ign": {"url": "/ign/x.json"},
                 "say": "a \\"b\\" \\\\ c"}}""");
        // Sorted keys; bare key for true; %q-quoted strings; {url} becomes a URL action.
        assertEquals("console=\"ttyS0,115200\" ign={{ URL \"/ign/x.json\" }} quiet say=\"a \\\"b\\\" \\\\ c\"", a.cmdline());
    }

    @Test
    void malformedAnswersAreRefused() {
        for (String bad : List.of("", "nope", "[]", "{}", "{\"kernel\": 3}", "{\"kernel\": \"k\", \"initrd\": \"i\"}",
                "{\"kernel\": \"k\", \"initrd\": [1]}", "{\"kernel\": \"k\", \"cmdline\": [\"a\"]}",
                "{\"kernel\": \"k\", \"cmdline\": {\"a\": 1}}", "{\"kernel\": \"k\", \"cmdline\": {\"a\": {\"href\": \"x\"}}}")) {
            assertThrows(ApiAnswer.Malformed.class, () -> parse(bad), bad);
        }
    }
}
