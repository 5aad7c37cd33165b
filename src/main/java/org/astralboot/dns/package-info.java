/**
 * The embedded DNS server for the boot domain (issue 17): authoritative for {@code domain} and the
 * interface's reverse zone, answering from the DHCP lease table, forwarding other names upstream.
 * Three layers as for DHCP and TFTP: {@code codec} (bytes and dnsjava messages), {@code engine}
 * (pure decisions) and {@link org.astralboot.dns.DnsService} (the UDP and TCP socket loops).
 */
package org.astralboot.dns;
