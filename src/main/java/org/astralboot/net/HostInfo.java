package org.astralboot.net;

import java.net.Inet4Address;

/** What the DHCP side knows of a machine: its MAC, its leased address and its host name. */
public record HostInfo(MacAddress mac, Inet4Address address, String hostname) {
}
