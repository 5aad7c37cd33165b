/**
 * Router advertisements for machines that are network-booting (issue 16): iPXE's {@code ifconf}
 * waits until its IPv6 configurator has heard a router advertisement, sending router solicitations
 * for about 16 s when none comes, which is the usual case on a provisioning network. Astralboot
 * answers those solicitations itself with an advertisement that ends the wait and configures
 * nothing: router lifetime 0 (never a default router), no prefix, M = O = 0 (RFC 4861 §4.2).
 *
 * <p>Three layers as for the other protocols: {@code codec} (ICMPv6 bytes and immutable records),
 * {@code engine} (who gets an answer: only machines whose MAC was seen in a PXE or iPXE DHCP
 * request in the last minutes, at most one answer a second each, and none while another router
 * advertises on the segment) and {@link org.astralboot.ndp.RouterAnswerService} (an ICMPv6 raw
 * socket through the FFM API, as Java has no raw sockets).
 */
package org.astralboot.ndp;
