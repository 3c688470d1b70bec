package io.meshpulse.xds.kafka;

import io.meshpulse.logging.LogLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer whose every write is one Kafka transaction, under a transactional id that every
 * instance of a deployment shares ({@code <application-id>-<what>}).
 *
 * <p>An instance takes the id over ({@link #fence}) when it starts to lead, before it reads its
 * state back. Kafka then aborts whatever an earlier holder of the id left open and refuses every
 * later request of that holder's producer. So a write of a leader that lost its lease, still in
 * flight when its successor took over (held up by a network partition, say), never becomes visible
 * to readers of committed records, which all of xds-control's are. A leader whose lease lapsed,
 * half a lease duration before a successor can take over, writes nothing more and never takes the
 * id over again.
 *
 * <p>A write that timed out leaves its transaction open; the next write first finishes it, under
 * the same producer epoch ({@link #finish}). A producer Kafka will not let go on (fenced by another
 * instance that took the id over, or a transaction that outlived {@code transaction.timeout.ms} and
 * was aborted by Kafka) is closed and made again while this instance leads, and the next write
 * takes the id over again. Writes from several threads are serialized.
 */
public final class TransactionalProducer<V> implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TransactionalProducer.class);

  /** What the last write left open. */
  private enum Open {
    NONE,
    COMMIT,
    ABORT
  }

  private final String transactionalId;
  private final Supplier<KafkaProducer<String, V>> factory;
  private final LogLimiter warnings = new LogLimiter(Duration.ofMinutes(1), System::nanoTime);
  // @GuardedBy("this")
  private KafkaProducer<String, V> producer;
  // @GuardedBy("this"): set by fence(): whether this instance leads, asked before every write
  private BooleanSupplier leads = () -> false;
  // @GuardedBy("this")
  private boolean initialized;
  // @GuardedBy("this")
  private Open open = Open.NONE;
  // @GuardedBy("this")
  private boolean closed;
  // @GuardedBy("this")
  private long remade;

  /**
   * @param own the client's own settings; idempotence, acknowledgements by all replicas and the
   *     transactional id are put on top ({@code transaction.timeout.ms} is Kafka's default, 1 min,
   *     unless {@code meshpulse.xds.kafka.properties.transaction.timeout.ms} sets it)
   * @param maxBlock how long a take-over, a commit or an abort waits at most ({@code max.block.ms})
   */
  public TransactionalProducer(
      KafkaClientConfig kafka,
      String client,
      String transactionalId,
      Map<String, ?> own,
      Duration maxBlock,
      Serializer<V> values) {
    this.transactionalId = transactionalId;
    Map<String, Object> settings = new HashMap<>(own);
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
    Properties props = kafka.client(client, settings);
    this.factory = () -> new KafkaProducer<>(props, new StringSerializer(), values);
    this.producer = factory.get();
  }

  public String transactionalId() {
    return transactionalId;
  }

  /**
   * Takes the transactional id over: aborts what an earlier holder left open and fences its
   * producer. From this call on the producer writes while {@code leads} says this instance leads
   * (the holder of the leader lease, renewed within half its duration); each write first goes on
   * with the take-over until it is done. An instance whose lease lapsed writes nothing more, and
   * never takes the id over again, so it cannot fence its successor.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when Kafka did not answer within {@code
   *     maxBlock}; calling it again, or the next write, goes on with the same take-over
   * @throws KafkaException when the id cannot be taken over (not authorized, say)
   */
  public synchronized void fence(BooleanSupplier leads) {
    this.leads = leads;
    takeOver();
  }

  /** Whether {@link #fence} was called and this instance still leads: the producer may write. */
  public synchronized boolean leads() {
    return leads.getAsBoolean();
  }

  /** How many times the producer was made again after Kafka would not let it go on. */
  public synchronized long remade() {
    return remade;
  }

  private void takeOver() {
    if (closed || !leads.getAsBoolean()) {
      // Taking the id over here would fence the instance that leads.
      throw new NotLeadingException(transactionalId);
    }
    if (initialized) {
      return;
    }
    try {
      producer.initTransactions();
      initialized = true;
    } catch (RuntimeException e) {
      // A take-over that timed out goes on at the next call. One refused (not authorized, not
      // supported) leaves the producer in an error state: made again, so that the next call
      // tries anew, but the refusal is what the caller learns.
      if (retriable(e)) {
        throw failed(e, Open.NONE);
      }
      remake(e);
      throw e instanceof KafkaException k ? k : new KafkaException(e);
    }
  }

  /**
   * Finishes the transaction the last write left open: commits it when its commit only waited too
   * long, aborts it when it failed.
   *
   * @return whether the records of the last write are committed now (false when there was none left
   *     open, or it was aborted)
   * @throws KafkaException as {@link #write}
   */
  public synchronized boolean finish() {
    takeOver();
    Open was = open;
    try {
      switch (open) {
        case COMMIT -> producer.commitTransaction();
        case ABORT -> producer.abortTransaction();
        case NONE -> {}
      }
    } catch (RuntimeException e) {
      if (waitedOut(e)) {
        throw failed(e, was); // tried again next time
      }
      // A commit refused is aborted next; an abort refused leaves a producer in an error state.
      throw was == Open.ABORT ? remake(e) : failed(e, Open.ABORT);
    }
    open = Open.NONE;
    return was == Open.COMMIT;
  }

  /**
   * Writes the records in one transaction, committed before it returns: first going on with the
   * take-over {@link #fence} began, and finishing what the last write left open.
   *
   * @return each record's send, all complete
   * @throws KafkaException when the records are not committed: before {@link #fence}; {@link
   *     org.apache.kafka.common.errors.TimeoutException} (or another {@link RetriableException} in
   *     its causes, {@link #retriable}) when Kafka did not answer in time; another when one of them
   *     was refused (too large, not authorized). What the write left open is finished by the next
   *     write or {@link #finish}, which may still commit it after a timeout.
   */
  public synchronized List<Future<RecordMetadata>> write(List<ProducerRecord<String, V>> records) {
    finish();
    try {
      producer.beginTransaction();
    } catch (RuntimeException e) {
      throw remake(e); // only in a state no write gets out of
    }
    open = Open.ABORT;
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    try {
      for (ProducerRecord<String, V> record : records) {
        Future<RecordMetadata> f = producer.send(record);
        sent.add(f);
        if (f.isDone()) {
          // Failed at once (no metadata within max.block.ms, too large): the transaction is
          // aborted anyway, and each further send would wait as long.
          f.get();
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw failed(cause instanceof RuntimeException r ? r : new KafkaException(cause), Open.ABORT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(new InterruptException(e), Open.ABORT);
    } catch (RuntimeException e) {
      throw failed(e, Open.ABORT);
    }
    open = Open.COMMIT;
    try {
      producer.commitTransaction();
    } catch (RuntimeException e) {
      // Still waiting for Kafka: committed by the next finish(). Refused (a record's send
      // failed, even for a timeout of its own): aborted there.
      throw failed(e, waitedOut(e) ? Open.COMMIT : Open.ABORT);
    }
    open = Open.NONE;
    return sent;
  }

  /**
   * Closes waiting up to {@code timeout} for what is in flight ({@link Duration#ZERO}: at once,
   * after a lost lease). A transaction left open is aborted by the next holder's take-over, or by
   * Kafka after the transaction timeout. A closed producer is not made again.
   */
  public void close(Duration timeout) {
    KafkaProducer<String, V> p;
    synchronized (this) {
      closed = true;
      p = producer;
    }
    p.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /** Whether {@code e}, or one of its causes, is one Kafka may get over (a timeout, no leader). */
  public static boolean retriable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // An old epoch on a produce: Kafka aborted the transaction (it outlived its timeout); the
      // abort that follows bumps the epoch, or finds the producer fenced and makes it again.
      if (t instanceof RetriableException
          || t instanceof InterruptException
          || t instanceof InvalidProducerEpochException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Whether a commit or an abort stopped waiting ({@code max.block.ms}, an interrupt) with the
   * transaction's outcome still to come: the same call goes on with it. A send that failed, for a
   * timeout of its own too, puts the transaction in an error state, and a commit then fails with
   * that error as its cause.
   */
  private static boolean waitedOut(Throwable e) {
    return e instanceof org.apache.kafka.common.errors.TimeoutException
        || e instanceof InterruptException;
  }

  /** Nothing written: this instance does not lead (no longer, or not yet), or is closed. */
  public static final class NotLeadingException extends KafkaException {
    private static final long serialVersionUID = 1L;

    NotLeadingException(String transactionalId) {
      super("not written to " + transactionalId + ": this instance does not lead");
    }
  }

  /**
   * The producer was made again after Kafka would not let the last one go on: the write did not
   * happen, and the next one takes the id over again. Retriable.
   */
  public static final class RemadeException extends RetriableException {
    private static final long serialVersionUID = 1L;

    RemadeException(String transactionalId, Throwable cause) {
      super("producer of " + transactionalId + " made again: " + cause, cause);
    }
  }

  /**
   * Leaves {@code next} open after {@code e}, to be finished by the next call; makes the producer
   * again when {@code e} says it cannot go on.
   */
  private KafkaException failed(RuntimeException e, Open next) {
    if (cannotGoOn(e)) {
      return remake(e);
    }
    open = next;
    return e instanceof KafkaException k ? k : new KafkaException(e);
  }

  /** Fenced by another producer of the id, or its transaction aborted by Kafka meanwhile. */
  private static boolean cannotGoOn(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidTxnStateException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closes a producer Kafka will not let go on and makes a new one, which takes the id over again
   * at the next write: unless this one was closed, which a lost lease does.
   */
  private KafkaException remake(RuntimeException e) {
    if (!closed) {
      remade++;
      long skipped = warnings.admit(transactionalId);
      if (skipped >= 0) {
        logger.warn(
            "producer cannot go on (fenced by another instance with the same application id, a"
                + " transaction that outlived transaction.timeout.ms, not authorized): made again,"
                + " it takes the id over at its next write transactional.id={} remade={}"
                + " warnings.skipped={}",
            transactionalId,
            remade,
            skipped,
            e);
      }
      KafkaProducer<String, V> old = producer;
      producer = factory.get();
      initialized = false;
      open = Open.NONE;
      old.close(Duration.ZERO);
      return new RemadeException(transactionalId, e);
    }
    return e instanceof KafkaException k ? k : new KafkaException(e);
  }
}
