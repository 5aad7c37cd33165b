package org.astralboot.http;

import java.util.function.UnaryOperator;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.api.ContentCache;
import org.astralboot.boot.api.FileUrls;

/**
 * What the wiring gives the HTTP service besides the boot tree: the boot policy that answers at
 * {@code /ipxe/<mac>} (built around the tree's {@link org.astralboot.boot.CatalogPolicy}, which an
 * API's {@code fallback = "menu"} serves), and the signed files that policy names.
 *
 * @param policy the policy, given the tree's (identity: the tree's menu, as without a source)
 * @param files  the signed files, or null when the policy names none
 */
public record BootSources(UnaryOperator<BootPolicy> policy, Files files) {

    /** The boot tree alone. */
    public static final BootSources TREE = new BootSources(UnaryOperator.identity(), null);

    /** Signed URLs and the content they name. */
    public record Files(FileUrls urls, ContentCache cache) {
    }
}
