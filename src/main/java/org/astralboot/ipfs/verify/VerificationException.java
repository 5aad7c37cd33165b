package org.astralboot.ipfs.verify;

import java.io.IOException;

/**
 * Content from the node is not what its CID says: a block whose hash differs, a block missing or
 * out of place, a malformed block, or a file whose size disagrees with its DAG. Names the CID at
 * fault so an operator can find the node or gateway that served it.
 */
public final class VerificationException extends IOException {
    private final String cid;

    public VerificationException(String cid, String message) {
        super(cid + ": " + message);
        this.cid = cid;
    }

    /** The CID of the block (or file) that failed verification. */
    public String cid() {
        return cid;
    }
}
