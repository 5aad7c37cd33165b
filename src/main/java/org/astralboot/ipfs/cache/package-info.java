/**
 * The content-addressed cache folder, {@code <cache>/<cid>}, and its index in the database.
 *
 * <ul>
 * <li>{@link org.astralboot.ipfs.cache.BlobCache}: reads routed to the cache file, the download in
 * progress, a new shared download, or (a range of an uncached file) straight to the source.</li>
 * <li>{@link org.astralboot.ipfs.cache.CacheIndex}: the IPFS maps of the database (files,
 * listings, paths, refs).</li>
 * <li>Recovery at start ({@code Recovery}), integrity checks and sha256-to-CRC32C migration, use
 * times and eviction ({@code CacheFiles}), the LRU choice as a pure function ({@code Eviction}).</li>
 * <li>Downloads ({@code Downloads}): one {@link org.astralboot.ipfs.cache.Download} per CID shared
 * by its readers, received on the download's thread ({@code ReceivePipe}) into the cache's own
 * {@code BufferPool}, read back by {@code DownloadStream}.</li>
 * <li>{@link org.astralboot.ipfs.cache.Failures}: client failures as
 * {@link org.astralboot.store.BootStoreException}s; {@link org.astralboot.ipfs.cache.Hashes}: CRC32C
 * and sha256 of cache files.</li>
 * </ul>
 */
package org.astralboot.ipfs.cache;
