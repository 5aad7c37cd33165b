/**
 * The IPFS node as seen from here: {@link org.astralboot.ipfs.kubo.KuboClient} for the RPC API
 * ({@code /api/v0}, POST only; {@code cat} over {@link org.astralboot.ipfs.kubo.RawStream}, a
 * socket channel read into direct buffers that reads the {@code X-Stream-Error} trailer, the other
 * calls over {@code java.net.http}, bodies guarded by {@link org.astralboot.ipfs.kubo.IdleWatchdog});
 * {@link org.astralboot.ipfs.kubo.VerifiedSource}, file content as CAR from the RPC API or a
 * trustless gateway, verified block by block against its CID; and
 * {@link org.astralboot.ipfs.kubo.NodeHealth}, the back-off while the node is unreachable.
 * Failures are {@link org.astralboot.ipfs.kubo.KuboException}s naming the endpoint.
 */
package org.astralboot.ipfs.kubo;
