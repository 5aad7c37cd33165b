package org.astralboot.boot;

/**
 * A template could not be compiled or rendered: a syntax error, a missing variable (templates are
 * strict), or a value a quoting lambda refuses. HTTP answers 500 and names the template in the log.
 */
public class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String template;

    public TemplateException(String template, String message, Throwable cause) {
        super(template + ": " + message, cause);
        this.template = template;
    }

    /** The template's name or source path. */
    public String template() {
        return template;
    }
}
