package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;

class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void committedWritesSurviveReopen() throws Exception {
        Path f = dir.resolve("t.db");
        try (Database db = Database.open(f)) {
            ConcurrentMap<String, String> m = db.db().hashMap("m", Serializer.STRING, Serializer.STRING).createOrOpen();
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                m.put("k" + i, "v" + i);
                fs.add(db.commitAsync());
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        }
        try (Database db = Database.open(f)) {
            ConcurrentMap<String, String> m = db.db().hashMap("m", Serializer.STRING, Serializer.STRING).createOrOpen();
            assertEquals(1000, m.size());
            assertEquals("v999", m.get("k999"));
        }
    }

    @Test
    void aSecondOpenIsRefused() throws Exception {
        Path f = dir.resolve("l.db");
        try (Database db = Database.open(f)) {
            DatabaseLockedException e = assertThrows(DatabaseLockedException.class, () -> Database.open(f));
            assertEquals(true, e.getMessage().contains("in use by another Astralboot process"));
        }
    }
}
