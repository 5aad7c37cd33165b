package org.astralboot.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.astralboot.events.BootEvent;
import org.astralboot.events.Events;

/**
 * The last {@code capacity} boot events in memory, oldest first, each numbered in the order it
 * arrived ({@link BootEvent#seq()}, from 1). When full, the oldest event is dropped: memory stays
 * bounded whatever the machines do. Thread-safe; {@link #emit} takes one short lock and never
 * blocks on a reader.
 *
 * <p>Live readers (the server-sent event stream) {@link #subscribe}: each gets its own bounded
 * queue. A reader that falls {@link #SUBSCRIBER_QUEUE} events behind is cut off (its queue is
 * marked overflowed) rather than slowing the DHCP or TFTP thread that emits.
 */
public final class EventRing implements Events {
    /** Events a live reader may be behind before it is cut off. */
    static final int SUBSCRIBER_QUEUE = 4096;

    private final BootEvent[] ring;
    private long next = 1;
    private int head; // index of the oldest
    private int size;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

    public EventRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        ring = new BootEvent[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    @Override
    public void emit(BootEvent event) {
        BootEvent e;
        synchronized (this) {
            e = event.withSeq(next++);
            if (size < ring.length) {
                ring[(head + size) % ring.length] = e;
                size++;
            } else {
                ring[head] = e;
                head = (head + 1) % ring.length;
            }
        }
        for (Subscription s : subscribers) {
            s.offer(e);
        }
    }

    /** The events kept, oldest first. */
    public synchronized List<BootEvent> snapshot() {
        List<BootEvent> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[(head + i) % ring.length]);
        }
        return out;
    }

    /** The events kept for {@code mac} (lower case, colons), oldest first. */
    public List<BootEvent> byMac(String mac) {
        return snapshot().stream().filter(e -> e.mac().equals(mac)).toList();
    }

    /** The events kept with a sequence number above {@code seq}, oldest first. */
    public List<BootEvent> since(long seq) {
        return snapshot().stream().filter(e -> e.seq() > seq).toList();
    }

    /** Sequence number of the newest event, 0 before the first. */
    public synchronized long lastSeq() {
        return next - 1;
    }

    /**
     * A live reader: events emitted from now on, in order. Close it when done. Subscribe before
     * reading {@link #since} to miss nothing (duplicates are told apart by {@link BootEvent#seq()}).
     */
    public Subscription subscribe() {
        Subscription s = new Subscription();
        subscribers.add(s);
        return s;
    }

    /** One live reader's queue. */
    public final class Subscription implements AutoCloseable {
        private final BlockingQueue<BootEvent> queue = new ArrayBlockingQueue<>(SUBSCRIBER_QUEUE);
        private volatile boolean overflowed;

        private void offer(BootEvent e) {
            if (!overflowed && !queue.offer(e)) {
                overflowed = true;
                subscribers.remove(this);
            }
        }

        /** The next event, or null after {@code millis} without one. */
        public BootEvent poll(long millis) throws InterruptedException {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Whether this reader fell too far behind and was cut off (its queue still drains). */
        public boolean overflowed() {
            return overflowed;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
