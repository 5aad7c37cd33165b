package org.astralboot.ipfs.verify;

import java.io.IOException;

/**
 * Content from the node is not what its CID says: a block whose hash differs, a block missing or
 * out of place, a malformed block, or a file whose size disagrees with its DAG. Names the CID at
 * fault so an operator can find the node or gateway that served it, and says which of these it was
 * ({@link #kind()}), because a caller's remedy depends on it: a block {@link Kind#MISSING missing}
 * from one stream may be had from another (a node's {@code dag/export --local-only} leaves out
 * what the node would fetch from its peers), while a block that arrived and does not verify will
 * not verify when the same source is asked again.
 */
public final class VerificationException extends IOException {
    /** What was wrong with the content; every place that throws picks one. */
    public enum Kind {
        /**
         * The block was not in the stream where the walk of the DAG needed it: the stream sent
         * another block in its place (one left out, reordered, or unrelated), or ended cleanly
         * (between CAR sections) before it, or a repeat the stream sends once is neither held nor
         * to be had alone. Nothing false arrived for this CID; a source that holds the block can
         * still give it.
         */
        MISSING,
        /** The block arrived whole and its data does not hash to its CID. */
        ALTERED,
        /**
         * The blocks hash to their CIDs (or the stream's framing is broken) but do not make a
         * well-formed UnixFS file or directory of the expected size: malformed dag-pb/UnixFS, sizes
         * that disagree with the parent's {@code blocksizes} or the caller's size, a codec that is
         * not a file's, a CAR section that does not parse or is implausibly large, a stream whose
         * roots do not include the CID asked for, a block after the last one.
         */
        MALFORMED,
        /**
         * The stream was cut inside a block: the block neither arrived whole nor was shown to be
         * absent (a connection dropped mid-block, a node failing while streaming, or a cutting
         * middlebox). Not {@link #MISSING}: nothing says another stream from the same source would
         * have it.
         */
        TRUNCATED,
        /**
         * The CID cannot be checked here: its hash function is not one we implement, or the CID
         * itself does not parse. Says nothing about the content.
         */
        UNVERIFIABLE
    }

    private final String cid;
    private final Kind kind;

    public VerificationException(String cid, Kind kind, String message) {
        super(cid + ": " + message);
        this.cid = cid;
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    /** The CID of the block (or file) that failed verification. */
    public String cid() {
        return cid;
    }

    /** What was wrong with it. */
    public Kind kind() {
        return kind;
    }
}
