package org.astralboot.boot;

import org.astralboot.store.BootStoreException;

/**
 * What a machine should boot now: the one seam between the boot services (DHCP, TFTP, HTTP), which
 * carry a boot, and the source that decides it, in the shape of Pixiecore's
 * {@code Booter.BootSpec(Machine)}. {@link CatalogPolicy} (the OS menu of the boot tree and the
 * machine's sticky choice) is the default; a static kernel or an external API answers the same
 * question.
 *
 * <p>Deciding changes no machine record: the caller records the request ({@link
 * MachineRegistry#seen}) before asking, so a {@code HEAD} can be answered by the same decision as
 * a {@code GET}. The caller turns the decision into a reply (an iPXE script, an HTTP status).
 */
public interface BootPolicy {

    /**
     * @throws BootStoreException the boot tree could not be read
     * @throws TemplateException  a template the decision needs (a kernel command line) is broken
     */
    BootDecision decide(MachineRequest machine) throws BootStoreException, TemplateException;
}
