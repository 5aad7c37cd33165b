package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.QuirkCounter;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpException;
import org.astralboot.tftp.codec.TftpQuirk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Name resolution under {@code tftp/}: what is served and what is refused, before any socket is involved. */
class TftpResolveTest {
    @TempDir
    Path dir;
    LocalBootStore store;

    @BeforeEach
    void tree() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("tftp/pxe"));
        Files.writeString(data.resolve("tftp/undionly.kpxe"), "ipxe");
        Files.writeString(data.resolve("tftp/pxe/ipxe.efi"), "efi");
        Files.writeString(data.resolve("secret.txt"), "not for tftp");
        Files.writeString(dir.resolve("outside.txt"), "outside");
        Files.createSymbolicLink(data.resolve("tftp/escape"), dir.resolve("outside.txt"));
        Files.createSymbolicLink(data.resolve("tftp/up"), data);
        Files.createSymbolicLink(data.resolve("tftp/inside"), data.resolve("tftp/pxe/ipxe.efi"));
        store = new LocalBootStore(data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"undionly.kpxe", "/undionly.kpxe", "pxe/ipxe.efi", "/pxe//ipxe.efi", "inside"})
    void servesFilesUnderTftp(String name) throws Exception {
        BootFile f = TftpSession.resolve(store, name);
        assertTrue(f.path().startsWith(TftpSession.TFTP_ROOT));
    }

    @Test
    void aLeadingSlashIsCountedOncePerServedName() throws Exception {
        QuirkCounter<TftpQuirk> quirks = new QuirkCounter<>(TftpQuirk.class);
        TftpSession.resolve(store, "/undionly.kpxe", quirks); // as tftp-hpa sends "get /undionly.kpxe"
        assertEquals(1, quirks.count(TftpQuirk.LEADING_SLASH));
        assertEquals(1, quirks.total());
        TftpSession.resolve(store, "undionly.kpxe", quirks);
        TftpSession.resolve(store, "pxe/ipxe.efi", quirks);
        assertThrows(TftpException.class, () -> TftpSession.resolve(store, "//etc/passwd", quirks));
        assertThrows(TftpException.class, () -> TftpSession.resolve(store, "/absent", quirks));
        assertEquals(1, quirks.total());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret.txt", "pxe/../../secret.txt", "//etc/passwd", "..", "a\\..\\secret.txt",
        "%2e%2e/secret.txt", "..%2fsecret.txt", "C:/windows", "a/./b", "x\u0001y"})
    void refusesTraversalWithAccessViolation(String name) {
        TftpException e = assertThrows(TftpException.class, () -> TftpSession.resolve(store, name));
        assertEquals(TftpErrorCode.ACCESS_VIOLATION, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("access violation: "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing.bin", "escape", "pxe/missing", "pxe", "/", "secret.txt"})
    void symlinksOutOfTheTreeDirectoriesAndMissingFilesAreNotFound(String name) {
        TftpException e = assertThrows(TftpException.class, () -> TftpSession.resolve(store, name));
        assertEquals(TftpErrorCode.FILE_NOT_FOUND, e.code(), e.getMessage());
    }

    /**
     * A link from {@code tftp/} to elsewhere in the same boot tree is followed (pxelinux setups
     * link kernels into the TFTP folder); the store's confinement is to the whole tree.
     */
    @Test
    void linksWithinTheBootTreeAreFollowed() throws Exception {
        BootFile f = TftpSession.resolve(store, "up/secret.txt");
        assertEquals(dir.resolve("data/secret.txt").toRealPath(), f.localPath().orElseThrow());
    }

    @Test
    void unavailableStoreIsError0WithAClearMessage() {
        BootStore down = new BootStore() {
            @Override
            public String describe() {
                return "ipfs:test";
            }

            @Override
            public Optional<List<Entry>> list(TreePath d) throws BootStoreException {
                throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, "IPFS node at 127.0.0.1:5001 is down");
            }

            @Override
            public Optional<BootFile> file(TreePath p) throws BootStoreException {
                throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, "IPFS node at 127.0.0.1:5001 is down");
            }
        };
        TftpException e = assertThrows(TftpException.class, () -> TftpSession.resolve(down, "undionly.kpxe"));
        assertEquals(TftpErrorCode.NOT_DEFINED, e.code());
        assertEquals("boot store unavailable, retry later: IPFS node at 127.0.0.1:5001 is down", e.getMessage());
    }
}
