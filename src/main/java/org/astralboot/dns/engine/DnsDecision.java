package org.astralboot.dns.engine;

import org.xbill.DNS.Message;

/** What to do with one query: the engine's only output. */
public sealed interface DnsDecision {
    /** Send {@code message} back to the client. */
    record Reply(Message message) implements DnsDecision {
    }

    /**
     * Not a name of ours: ask the upstream servers and relay their answer; if none answers, reply
     * {@code fallback} (SERVFAIL).
     */
    record Forward(Message query, Message fallback) implements DnsDecision {
    }
}
