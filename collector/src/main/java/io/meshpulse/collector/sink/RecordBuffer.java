package io.meshpulse.collector.sink;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded buffer between the gRPC streams and Kafka. A record counts against the limits from
 * the moment it is offered until Kafka acknowledges it (or it is dropped), so records waiting for
 * an unreachable broker keep the buffer full and the streams paused. Streams park a resume callback
 * with {@link #whenRoom(Runnable)}; callbacks run, outside the lock, once the buffer is back under
 * its soft limits.
 */
public final class RecordBuffer {
  private final BufferLimits limits;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();

  // @GuardedBy("lock")
  private final ArrayDeque<OutgoingRecord> queue = new ArrayDeque<>();
  // @GuardedBy("lock")
  private final List<Runnable> waiters = new ArrayList<>();
  // @GuardedBy("lock")
  private long records;
  // @GuardedBy("lock")
  private long bytes;

  public RecordBuffer(BufferLimits limits) {
    this.limits = limits;
  }

  /**
   * Admits a whole batch, or none of it when it would pass the hard limits.
   *
   * @return whether the batch was admitted
   */
  public boolean offer(List<OutgoingRecord> batch) {
    long batchBytes = 0;
    for (OutgoingRecord record : batch) {
      batchBytes += record.sizeBytes();
    }
    lock.lock();
    try {
      if (records + batch.size() > limits.hardMaxRecords()
          || bytes + batchBytes > limits.hardMaxBytes()) {
        return false;
      }
      queue.addAll(batch);
      records += batch.size();
      bytes += batchBytes;
      notEmpty.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code resume} now when the buffer is under its soft limits, else once it is. */
  public void whenRoom(Runnable resume) {
    lock.lock();
    try {
      if (!hasRoom()) {
        waiters.add(resume);
        return;
      }
    } finally {
      lock.unlock();
    }
    resume.run();
  }

  /** Whether the buffer is under its soft limits. */
  public boolean hasRoomNow() {
    lock.lock();
    try {
      return hasRoom();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes up to {@code max} queued records, waiting up to {@code wait} for the first. They stay
   * counted until {@link #release} (acknowledged or dropped) or {@link #requeue}.
   */
  public List<OutgoingRecord> take(int max, Duration wait) throws InterruptedException {
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (queue.isEmpty() && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
      List<OutgoingRecord> taken = new ArrayList<>(Math.min(max, queue.size()));
      while (taken.size() < max && !queue.isEmpty()) {
        taken.add(queue.poll());
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** Puts a record whose delivery failed back at the head of the queue; it stays counted. */
  public void requeue(OutgoingRecord record) {
    lock.lock();
    try {
      queue.addFirst(record);
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a record that Kafka acknowledged or that was dropped. */
  public void release(OutgoingRecord record) {
    List<Runnable> resumed = List.of();
    lock.lock();
    try {
      records--;
      bytes -= record.sizeBytes();
      if (!waiters.isEmpty() && hasRoom()) {
        resumed = new ArrayList<>(waiters);
        waiters.clear();
      }
    } finally {
      lock.unlock();
    }
    resumed.forEach(Runnable::run);
  }

  /** Records held: queued plus sent and not yet acknowledged. */
  public long records() {
    lock.lock();
    try {
      return records;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes held: queued plus sent and not yet acknowledged. */
  public long bytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
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

  // @GuardedBy("lock")
  private boolean hasRoom() {
    return records < limits.maxRecords() && bytes < limits.maxBytes();
  }
}
