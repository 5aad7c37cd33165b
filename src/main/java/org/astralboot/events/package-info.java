/**
 * Boot events: the {@link org.astralboot.events.BootEvent} record and the
 * {@link org.astralboot.events.Events} sink the services report to. No dependencies on the
 * services or the admin interface, so dhcp, tftp and http can report without knowing who listens.
 */
package org.astralboot.events;
