package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.verify.VerificationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IpfsFiles}, the reader of the IPFS paths a static boot or a boot API names, against a real
 * Kubo node ({@link IpfsNode}) and a tampering proxy in front of its RPC API or its gateway
 * ({@link VerifiedFetchIT.TamperProxy}): honest, {@code /ipfs/<CID>/boot/x/images/big} (a DAG of
 * many leaves) and a bare file CID give the exact bytes; one flipped byte in one leaf, or in the
 * block of a directory on the path, fails the read with an error naming that block's CID; a path
 * that names nothing or a directory is "not found".
 */
class IpfsFilesIT {
    @TempDir
    static Path tmp;
    static IpfsNode node;
    static String treeCid;
    static String bigCid;
    static byte[] big;
    static String leafCid;
    static byte[] leafBlock;
    static String imagesCid;
    static byte[] imagesBlock;

    @BeforeAll
    static void start() throws Exception {
        node = IpfsNode.start(tmp.resolve("repo"));
        KuboClient c = client(node.api());
        Path tree = tmp.resolve("tree");
        TestTrees.file(tree.resolve("boot/x/images/big"), 2_000_000, 31);
        big = Files.readAllBytes(tree.resolve("boot/x/images/big"));
        List<KuboClient.Added> a = c.add(tree, new KuboClient.AddOptions(1, true, "size-262144", true, false));
        treeCid = a.get(a.size() - 1).hash();
        bigCid = c.stat("/ipfs/" + treeCid + "/boot/x/images/big").hash();
        List<String> leaves = new java.util.ArrayList<>();
        c.refs("/ipfs/" + bigCid, leaves::add);
        leafCid = leaves.get(leaves.size() / 2);
        leafBlock = block(leafCid);
        imagesCid = c.stat("/ipfs/" + treeCid + "/boot/x/images").hash();
        imagesBlock = block(imagesCid);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    static KuboClient client(URI u) {
        return new KuboClient(u, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    static byte[] block(String cid) throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                node.api().resolve("/api/v0/block/get?arg=" + cid)).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void throughTheRpcApi() throws Exception {
        try (VerifiedFetchIT.TamperProxy proxy = new VerifiedFetchIT.TamperProxy(node.api())) {
            check(() -> new IpfsFiles(client(proxy.uri()), null), proxy);
        }
    }

    @Test
    void throughTheGateway() throws Exception {
        try (VerifiedFetchIT.TamperProxy proxy = new VerifiedFetchIT.TamperProxy(node.gateway())) {
            check(() -> new IpfsFiles(client(node.api()), proxy.uri()), proxy);
        }
    }

    /** @param reader a new reader through {@code proxy} (each keeps the directory blocks it verified) */
    private void check(java.util.function.Supplier<IpfsFiles> reader, VerifiedFetchIT.TamperProxy proxy) throws Exception {
        IpfsFiles files = reader.get();
        String path = "/ipfs/" + treeCid + "/boot/x/images/big";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(big.length, files.copy(path, out));
        assertArrayEquals(big, out.toByteArray(), "exact bytes through the path");
        out.reset();
        files.copy("/ipfs/" + bigCid, out);
        assertArrayEquals(big, out.toByteArray(), "a bare file CID");
        assertThrows(FileNotFoundException.class, () -> files.copy("/ipfs/" + treeCid + "/boot/x/none", new ByteArrayOutputStream()));
        assertThrows(FileNotFoundException.class, () -> files.copy("/ipfs/" + treeCid + "/boot", new ByteArrayOutputStream()),
                "a directory is not a file");
        assertThrows(FileNotFoundException.class, () -> files.copy("/ipfs/" + treeCid + "/boot/x/images/big/more",
                new ByteArrayOutputStream()), "below a file");

        proxy.needle = Arrays.copyOfRange(leafBlock, 1000, 1064);
        IOException e = assertThrows(IOException.class, () -> files.copy(path, new ByteArrayOutputStream()));
        assertTrue(e instanceof VerificationException && e.getMessage().contains(leafCid),
                "an altered leaf fails the read naming it: " + e);
        assertTrue(proxy.tampered.get() >= 1, proxy.requests.toString());

        // A directory on the path altered: a fresh reader (no directory blocks kept) refuses the path.
        proxy.needle = imagesBlock;
        IOException d = assertThrows(IOException.class, () -> reader.get().copy(path, new ByteArrayOutputStream()));
        assertTrue(d instanceof VerificationException && d.getMessage().contains(imagesCid),
                "an altered directory block fails the path naming it: " + d);
        proxy.needle = null;
        out.reset();
        reader.get().copy(path, out);
        assertArrayEquals(big, out.toByteArray(), "honest again: exact");
    }
}
