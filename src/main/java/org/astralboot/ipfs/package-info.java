/**
 * Boot trees from IPFS.
 *
 * <ul>
 * <li>{@link org.astralboot.ipfs.KuboClient}: the node's RPC API ({@code /api/v0}, POST only);
 * {@code cat} over {@link org.astralboot.ipfs.RawStream} (a socket channel read into direct
 * buffers; reads the {@code X-Stream-Error} trailer).</li>
 * <li>{@link org.astralboot.ipfs.RefsFile}: {@code refs.toml} ({@code boot} and {@code [os]}).</li>
 * <li>{@link org.astralboot.ipfs.IpfsBootStore}: the {@link org.astralboot.store.BootStore} over
 * the refs; listings by directory CID in the database; file content through
 * {@link org.astralboot.ipfs.BlobCache}, the content-addressed cache folder with shared cold
 * fetches, integrity checks and LRU eviction; {@link org.astralboot.ipfs.NodeHealth} for outages.</li>
 * <li>Commands: {@code precache}, {@code publish}, {@code verify}.</li>
 * </ul>
 *
 * <p>Development and test node: {@code scripts/ipfs-node} (Kubo built by {@code scripts/go-tools},
 * loopback only). Production:
 * Kubo.
 */
package org.astralboot.ipfs;
