package org.astralboot.admin;

import java.net.InetSocketAddress;

/**
 * Where the admin listener listens and the bearer token it requires ({@code [admin]} of the
 * config). {@code listen} null: no admin listener. Beyond loopback a token is required; the config
 * loader refuses such a config at load ({@link #problem()}), and {@link AdminService} refuses to
 * start with one.
 *
 * @param listen address and port, or null for none
 * @param token  the bearer token, or "" for none (loopback only)
 */
public record AdminSettings(InetSocketAddress listen, String token) {
    public AdminSettings {
        token = token == null ? "" : token;
    }

    /** Whether the listener is reachable from other hosts (not a loopback address). */
    public boolean beyondLoopback() {
        return listen != null && !listen.getAddress().isLoopbackAddress();
    }

    /** Why these settings must not be used, or null when they may. */
    public String problem() {
        if (beyondLoopback() && token.isEmpty()) {
            return "admin listen " + listen.getAddress().getHostAddress() + ":" + listen.getPort()
                    + " is beyond loopback: set [admin] token (a bearer token the operator's tools send),"
                    + " or listen on 127.0.0.1";
        }
        if (!token.isEmpty() && token.length() < 16) {
            return "admin token is " + token.length() + " characters: use at least 16 (e.g. openssl rand -hex 16)";
        }
        return null;
    }
}
