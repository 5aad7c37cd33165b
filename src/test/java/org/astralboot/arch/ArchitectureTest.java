package org.astralboot.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.astralboot.arch.fixture.codec.NettyCodec;
import org.astralboot.arch.fixture.cycle.a.A;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering every protocol follows (issue 13): a codec turns bytes into immutable records and
 * an engine makes pure decisions, so neither may reach the network, a channel or the whole config
 * (engines take protocol-local settings); only {@code cli} wires things together, so nothing else
 * imports it; and no package depends on itself through another. Each rule is also run against a
 * fixture that breaks it, so a rule that could never fail is caught.
 */
class ArchitectureTest {
    private static final String ROOT = "org.astralboot";
    private static JavaClasses product;

    /** Codecs and engines: no Netty, no NIO channels, no config. */
    static final ArchRule PURE_LAYERS = noClasses().that().resideInAnyPackage("..codec..", "..engine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "java.nio.channels..", ROOT + ".config..")
            .because("codecs and engines are pure: bytes and records in, records and decisions out");

    /** Only the command line wires the program together. */
    static final ArchRule CLI_ON_TOP = noClasses().that().resideOutsideOfPackage(ROOT + ".cli..")
            .and().resideOutsideOfPackage(ROOT + ".arch..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".cli..")
            .because("commands sit on top of the features; a feature importing cli makes a cycle");

    /** The boot policy answers "what should this machine boot", whatever protocol asked. */
    static final ArchRule POLICY_WITHOUT_HTTP = noClasses().that().resideInAPackage(ROOT + ".boot..")
            .should().dependOnClassesThat().resideInAnyPackage("io.undertow..", ROOT + ".http..")
            .because("the boot policy is the seam static and API boot sources plug into, not an HTTP handler");

    /**
     * Native calls (the FFM API) in one place only: the ICMPv6 raw socket of the {@code ndp}
     * transport. Codecs, engines and every other package stay plain Java.
     */
    static final ArchRule NATIVE_ONLY_IN_NDP_TRANSPORT = noClasses().that().resideOutsideOfPackage(ROOT + ".ndp")
            .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
            .because("raw sockets are the one thing Java lacks; the rest of the program needs no native code");

    /** No cycle between the feature packages (dhcp, tftp, http, boot, ipfs, db, ...). */
    static final ArchRule NO_FEATURE_CYCLES = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    /** No cycle between any two packages, sub-packages included (tftp and tftp.engine, ...). */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching(ROOT + ".(**)").should().beFreeOfCycles();

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void codecsAndEnginesArePure() {
        PURE_LAYERS.check(product);
    }

    @Test
    void onlyCliImportsCli() {
        CLI_ON_TOP.check(product);
    }

    @Test
    void bootPolicyKnowsNoHttp() {
        POLICY_WITHOUT_HTTP.check(product);
    }

    @Test
    void nativeCallsOnlyInTheNdpTransport() {
        NATIVE_ONLY_IN_NDP_TRANSPORT.check(product);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        NO_FEATURE_CYCLES.check(product);
    }

    @Test
    void packagesHaveNoCycles() {
        NO_PACKAGE_CYCLES.check(product);
    }

    @Test
    void eachRuleFailsWhenBroken() {
        ClassFileImporter tests = new ClassFileImporter();
        JavaClasses netty = tests.importClasses(NettyCodec.class);
        assertThrows(AssertionError.class, () -> PURE_LAYERS.check(netty));
        assertThrows(AssertionError.class, () -> NATIVE_ONLY_IN_NDP_TRANSPORT.check(
                tests.importClasses(org.astralboot.arch.fixture.codec.NativeCodec.class)));
        JavaClasses cycle = tests.importPackages(A.class.getPackageName(), "org.astralboot.arch.fixture.cycle.b");
        assertThrows(AssertionError.class, () -> NO_PACKAGE_CYCLES.check(cycle));
        JavaClasses importsCli = tests.importClasses(org.astralboot.arch.fixture.codec.UsesCli.class);
        assertThrows(AssertionError.class, () -> CLI_ON_TOP_FOR_FIXTURES.check(importsCli));
        assertThrows(AssertionError.class, () -> slices().matching("org.astralboot.arch.fixture.cycle.(*)..")
                .should().beFreeOfCycles().check(tests.importPackages("org.astralboot.arch.fixture")));
        List.of(PURE_LAYERS, CLI_ON_TOP, POLICY_WITHOUT_HTTP, NATIVE_ONLY_IN_NDP_TRANSPORT, NO_FEATURE_CYCLES,
                NO_PACKAGE_CYCLES).forEach(r -> r.check(product));
    }

    /** {@link #CLI_ON_TOP} without its exemption of this test's own package, for the fixture. */
    private static final ArchRule CLI_ON_TOP_FOR_FIXTURES = noClasses().that().resideOutsideOfPackage(ROOT + ".cli..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".cli..");
}
