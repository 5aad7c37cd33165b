package org.astralboot.config;

/** The configuration cannot be used: a parse error, an invalid value or a missing interface. Exit code 2. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
