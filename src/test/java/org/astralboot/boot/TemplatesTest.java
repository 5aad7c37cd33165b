package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {

    private static Templates templates(Path tmp) throws Exception {
        return new Templates(new LocalBootStore(tmp));
    }

    @Test
    void missingVariableIsAnErrorNamingTheTemplate(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.renderText("hello {{name}} {{nope}}", "greeting", Map.of("name", "x")));
        assertTrue(e.getMessage().contains("greeting"), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertEquals("greeting", e.template());
    }

    @Test
    void missingSectionIsAnError(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        assertThrows(TemplateException.class, () -> t.renderText("{{#nope}}x{{/nope}}", "s", Map.of()));
    }

    @Test
    void syntaxErrorIsAnError(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        assertThrows(TemplateException.class, () -> t.renderText("{{#a}}x", "s", Map.of("a", true)));
    }

    @Test
    void htmlEscapingIsOffAndIpxeSettingsPassThrough(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        String out = t.renderText("chain {{url}}/${net0/mac} ${mac:hexhyp} {{v}}", "x",
                Map.of("url", "http://a/b?c=1&d=<2>", "v", "\"q\" 'a' &amp;"));
        assertEquals("chain http://a/b?c=1&d=<2>/${net0/mac} ${mac:hexhyp} \"q\" 'a' &amp;", out);
    }

    @Test
    void yamlLambdaQuotesRenderedContent(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        Map<String, Object> ctx = new HashMap<>(Templates.LAMBDAS);
        ctx.put("hostname", "evil\nroot: true");
        String out = t.renderText("hostname: {{#yaml}}{{hostname}}{{/yaml}}", "y", ctx);
        assertEquals("hostname: \"evil\\nroot: true\"", out);
    }

    @Test
    void shLambdaRefusesNewlines(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        Map<String, Object> ctx = new HashMap<>(Templates.LAMBDAS);
        ctx.put("v", "a\nb");
        TemplateException e = assertThrows(TemplateException.class, () -> t.renderText("echo {{#sh}}{{v}}{{/sh}}", "late", ctx));
        assertTrue(e.getMessage().contains("late"));
        ctx.put("v", "it's");
        assertEquals("echo 'it'\\''s'", t.renderText("echo {{#sh}}{{v}}{{/sh}}", "late", ctx));
    }

    @Test
    void emptyStringIsFalseInSections(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        assertEquals("[]", t.renderText("[{{#class}}({{class}}){{/class}}]", "c", Map.of("class", "")));
        assertEquals("[(etcd)]", t.renderText("[{{#class}}({{class}}){{/class}}]", "c", Map.of("class", "etcd")));
    }

    @Test
    void partialsAreRefused(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        assertThrows(TemplateException.class, () -> t.renderText("{{> other}}", "p", Map.of()));
    }

    @Test
    void everyBuiltInTemplateCompiles(@TempDir Path tmp) throws Exception {
        Templates t = templates(tmp);
        for (String name : Templates.BUILTIN) {
            assertTrue(t.find(name, null).isPresent(), name);
        }
        assertTrue(t.find("nope", null).isEmpty());
        assertTrue(t.find("../etc", null).isEmpty());
    }

    @Test
    void osTemplateOverridesBuiltInAndAddsNewOnes(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("boot/x/template"));
        Files.writeString(dir.resolve("preseed.mustache"), "own {{hostname}}");
        Files.writeString(dir.resolve("extra.mustache"), "extra");
        Files.writeString(dir.resolve("notatemplate.txt"), "x");
        Templates t = templates(tmp);
        OsDefinition os = new OsDefinition("x", "X", org.astralboot.store.TreePath.parse("k"), List.of(), "", List.of(),
                Map.of(), org.astralboot.store.TreePath.parse("boot/x/os.toml"));
        assertEquals("own h", Templates.execute(t.find("preseed", os).orElseThrow(), "p", Map.of("hostname", "h")));
        assertTrue(t.names(os).contains("extra"));
        assertTrue(t.names(os).contains("cloud-config"));
        assertTrue(!t.names(os).contains("notatemplate"));
        // a changed file is recompiled (its ETag changes with size and mtime)
        Files.writeString(dir.resolve("preseed.mustache"), "changed {{hostname}}!");
        assertEquals("changed h!", Templates.execute(t.find("preseed", os).orElseThrow(), "p", Map.of("hostname", "h")));
    }
}
