package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StoreFailureTest {
    @Test
    void reportsOnceOnAThreadOfItsOwn() throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        CountDownLatch told = new CountDownLatch(1);
        StoreFailure f = new StoreFailure("svc", msg -> {
            said.add(Thread.currentThread().getName() + ": " + msg);
            told.countDown();
        });
        assertTrue(f.report("commit failed (No space left on device)"));
        assertFalse(f.report("a later commit failed too"));
        assertFalse(f.reportHere("and another"));
        assertTrue(told.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(List.of("svc-fatal: commit failed (No space left on device)"), said);
    }

    @Test
    void reportHereRunsOnTheCallingThreadOnce() {
        List<String> said = new CopyOnWriteArrayList<>();
        StoreFailure f = new StoreFailure("svc", msg -> said.add(Thread.currentThread().getName() + ": " + msg));
        assertTrue(f.reportHere("broken"));
        assertFalse(f.report("again"));
        assertEquals(List.of(Thread.currentThread().getName() + ": broken"), said);
    }

    @Test
    void aHandlerThatThrowsCountsAsTold() {
        List<String> calls = new CopyOnWriteArrayList<>();
        StoreFailure f = new StoreFailure("svc", msg -> {
            calls.add(msg);
            throw new IllegalStateException("handler bug");
        });
        assertTrue(f.reportHere("broken"), "the handler's failure is logged, not thrown at the store's caller");
        assertFalse(f.reportHere("again"));
        assertEquals(List.of("broken"), calls);
    }
}
