/**
 * Boot trees from IPFS.
 *
 * <ul>
 * <li>{@link org.astralboot.ipfs.RefsFile}: {@code refs.toml} ({@code boot} and {@code [os]}).</li>
 * <li>{@link org.astralboot.ipfs.IpfsBootStore}: the {@link org.astralboot.store.BootStore} over
 * the refs ({@link org.astralboot.ipfs.RefResolver}); listings by directory CID, verified from the
 * directory's blocks and kept in the database ({@link org.astralboot.ipfs.Listings}); file content through the cache of
 * {@link org.astralboot.ipfs.cache}.</li>
 * <li>{@link org.astralboot.ipfs.kubo}: the node's RPC API and trustless gateway, the verified
 * content source and the node's health.</li>
 * <li>{@link org.astralboot.ipfs.verify}: CID verification of CAR streams, directory blocks and
 * cached copies.</li>
 * <li>Commands: {@code precache} (progress by {@link org.astralboot.ipfs.Progress}), {@code publish},
 * {@code verify}.</li>
 * </ul>
 *
 * <p>Dependencies go one way: this package uses {@code cache} and {@code kubo}, {@code cache} uses
 * {@code kubo}, both use {@code verify}; none of them uses this package.
 *
 * <p>Development and test node: {@code scripts/ipfs-node} (Kubo built by {@code scripts/go-tools},
 * loopback only). Production:
 * Kubo.
 */
package org.astralboot.ipfs;
