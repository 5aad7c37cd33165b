/**
 * Verified retrieval of UnixFS files: the content-addressing pieces (unsigned varint, multihash,
 * multibase, CID, CAR v1, dag-pb and UnixFS decoding) and {@link org.astralboot.ipfs.verify.VerifiedFileReader},
 * which turns a CAR stream from an untrusted node or gateway into the file's bytes, checking each
 * block against its CID before any of its bytes are released; {@link org.astralboot.ipfs.verify.VerifiedDirectory},
 * which lists a UnixFS directory (plain or HAMT-sharded) from single blocks, each checked against
 * its CID; and {@link org.astralboot.ipfs.verify.CachedFileCheck}, which checks a local copy of a
 * file against its CID ({@code astralboot verify}).
 *
 * <p>Specifications: multiformats unsigned-varint, multihash, multibase, CID
 * (github.com/multiformats), CARv1 (ipld.io/specs/transport/car/carv1), dag-pb
 * (ipld.io/specs/codecs/dag-pb/spec), UnixFS (specs.ipfs.tech/unixfs), trustless gateway
 * (specs.ipfs.tech/http-gateways/trustless-gateway). Written here because no maintained Maven
 * Central library covers CAR + dag-pb + UnixFS without pulling a libp2p stack.
 */
package org.astralboot.ipfs.verify;
