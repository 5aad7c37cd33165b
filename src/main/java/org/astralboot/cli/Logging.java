package org.astralboot.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Maps {@code -v} counts to log levels. Default: the start-up summary (logger {@value #SUMMARY}),
 * warnings and errors; {@code -v} info; {@code -vv} debug; {@code -vvv} trace (packets).
 */
public final class Logging {
    /** Logger whose info lines are shown at every verbosity: the start-up summary. */
    public static final String SUMMARY = "astralboot";

    private Logging() {
    }

    public static void configure(int verbosity) {
        // MapDB and XNIO log through java.util.logging.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        Level own = switch (Math.min(verbosity, 3)) {
            case 0 -> Level.WARN;
            case 1 -> Level.INFO;
            case 2 -> Level.DEBUG;
            default -> Level.TRACE;
        };
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(verbosity >= 2 ? Level.INFO : Level.WARN);
        ctx.getLogger("org.astralboot").setLevel(own);
        ctx.getLogger(SUMMARY).setLevel(Level.INFO);
        ctx.getLogger("io.undertow").setLevel(verbosity >= 3 ? Level.DEBUG : Level.WARN);
        ctx.getLogger("org.xnio").setLevel(Level.WARN);
        ctx.getLogger("org.jboss").setLevel(Level.WARN);
    }
}
