package io.meshpulse.collector.sink;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded buffer between the gRPC streams and Kafka. A record counts against the limits from
 * the moment it is offered until Kafka acknowledges it (or it is dropped), so records waiting for
 * an unreachable broker keep the buffer full and the streams paused. Streams park a resume callback
 * with {@link #whenRoom(Runnable)} once the buffer reaches its soft limits; the callbacks run
 * together, outside the lock, once acknowledgements bring the buffer down to its resume point (a
 * sixteenth below the soft limits), so paused streams resume as a group rather than one per
 * acknowledged record.
 *
 * <p>Acknowledgements ({@link #release}) come once per record from the Kafka producer's thread:
 * they only decrement two counters and take the lock only when streams are waiting and the resume
 * point is reached.
 */
public final class RecordBuffer {
  private final BufferLimits limits;
  private final long resumeRecords;
  private final long resumeBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();

  // @GuardedBy("lock")
  private final ArrayDeque<OutgoingRecord> queue = new ArrayDeque<>();
  // @GuardedBy("lock"); a set, so that a closing stream's callback is removed without a scan.
  private LinkedHashSet<Runnable> waiters = new LinkedHashSet<>();
  // Written under the lock; read without it by release().
  private volatile boolean paused;
  // Increased under the lock (offer checks the hard limits), decreased without it (release).
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  public RecordBuffer(BufferLimits limits) {
    this.limits = limits;
    this.resumeRecords = limits.maxRecords() - Math.max(1, limits.maxRecords() / 16);
    this.resumeBytes = limits.maxBytes() - Math.max(1, limits.maxBytes() / 16);
  }

  /**
   * Admits a whole batch, or none of it when it would pass the hard limits.
   *
   * @return whether the batch was admitted
   */
  public boolean offer(List<OutgoingRecord> batch) {
    long batchBytes = 0;
    for (int i = 0; i < batch.size(); i++) {
      batchBytes += batch.get(i).sizeBytes();
    }
    lock.lock();
    try {
      if (records.get() + batch.size() > limits.hardMaxRecords()
          || bytes.get() + batchBytes > limits.hardMaxBytes()) {
        return false;
      }
      queue.addAll(batch);
      records.addAndGet(batch.size());
      bytes.addAndGet(batchBytes);
      notEmpty.signal(); // one sink thread takes
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code resume} now when the buffer is under its soft limits and no stream is waiting, else
   * once acknowledgements bring it down to its resume point.
   *
   * @return whether {@code resume} ran now (false: it waits for room)
   */
  public boolean whenRoom(Runnable resume) {
    boolean now;
    lock.lock();
    try {
      now = !paused && hasRoom();
      if (!now) {
        waiters.add(resume);
        paused = true;
      }
    } finally {
      lock.unlock();
    }
    if (now) {
      resume.run();
      return true;
    }
    // This thread wrote paused, then reads the counters; release() writes the counters, then
    // reads paused: one of the two sees the other, so a release that came just before paused was
    // set cannot leave the waiters parked.
    if (atResumePoint()) {
      resumeWaiters();
    }
    return false;
  }

  /**
   * Takes up to {@code max} queued records, waiting up to {@code wait} for the first. They stay
   * counted until {@link #release} (acknowledged or dropped).
   */
  public List<OutgoingRecord> take(int max, Duration wait) throws InterruptedException {
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (queue.isEmpty() && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
      int n = Math.min(max, queue.size());
      List<OutgoingRecord> taken = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        taken.add(queue.poll());
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a record that Kafka acknowledged or that was dropped. */
  public void release(OutgoingRecord record) {
    long recordsLeft = records.decrementAndGet();
    long bytesLeft = bytes.addAndGet(-record.sizeBytes());
    if (paused && recordsLeft <= resumeRecords && bytesLeft <= resumeBytes) {
      resumeWaiters();
    }
  }

  /**
   * Forgets a callback parked by {@link #whenRoom} whose stream has closed, so that a closed stream
   * neither counts as waiting nor is kept until the buffer has room.
   */
  public void cancel(Runnable resume) {
    lock.lock();
    try {
      if (waiters.remove(resume) && waiters.isEmpty()) {
        paused = false;
      }
    } finally {
      lock.unlock();
    }
  }

  private void resumeWaiters() {
    LinkedHashSet<Runnable> resumed;
    lock.lock();
    try {
      if (waiters.isEmpty()) {
        return;
      }
      resumed = waiters;
      waiters = new LinkedHashSet<>();
      paused = false;
    } finally {
      lock.unlock();
    }
    for (Runnable resume : resumed) {
      resume.run();
    }
  }

  /** Records held: queued plus sent and not yet acknowledged. */
  public long records() {
    return records.get();
  }

  /** Bytes held: queued plus sent and not yet acknowledged. */
  public long bytes() {
    return bytes.get();
  }

  /** Streams waiting for room. */
  public int waiting() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every record is released, up to {@code timeout}; whether it became empty. */
  public boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records() > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return true;
  }

  private boolean hasRoom() {
    return records.get() < limits.maxRecords() && bytes.get() < limits.maxBytes();
  }

  private boolean atResumePoint() {
    return records.get() <= resumeRecords && bytes.get() <= resumeBytes;
  }
}
