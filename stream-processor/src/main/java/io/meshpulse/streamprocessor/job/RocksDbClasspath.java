package io.meshpulse.streamprocessor.job;

import java.net.URL;
import java.security.CodeSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Flink's RocksDB state backend needs Flink's own build of RocksDB (FRocksDB: {@code frocksdbjni},
 * or {@code flink-dist} on a cluster). Another RocksDB on the same class path can shadow it, its
 * classes and its native library both: Kafka Streams' {@code rocksdbjni}, in a JVM that also runs
 * xds-control (the standalone platform, the benchmarks). Upstream RocksDB 9.7 copies the empty
 * write-ahead log (Flink writes without one) into every native checkpoint, Flink uploads that empty
 * file as a null state handle, and every checkpoint fails ({@code streamStateHandle cannot be
 * null}), so the job restarts from the beginning again and again. This check refuses that at start.
 */
final class RocksDbClasspath {
  /** A class only FRocksDB has. */
  static final String FROCKSDB_CLASS = "org.rocksdb.FlinkCompactionFilter";

  static final String ROCKSDB_CLASS = "org.rocksdb.RocksDB";

  private RocksDbClasspath() {}

  /**
   * Fails naming {@code option} unless {@code org.rocksdb.RocksDB} comes from the same place as
   * FRocksDB's own classes.
   */
  static void requireFlinkRocksDb(ClassLoader loader, String option) {
    Class<?> rocksDb = load(ROCKSDB_CLASS, loader);
    if (rocksDb == null) {
      throw new IllegalArgumentException(
          option + "=ROCKSDB needs Flink's RocksDB state backend on the class path");
    }
    Class<?> frocksDb = load(FROCKSDB_CLASS, loader);
    URL used = location(rocksDb);
    URL flinks = frocksDb == null ? null : location(frocksDb);
    if (frocksDb == null || !Objects.equals(used, flinks)) {
      throw new IllegalArgumentException(
          option
              + "=ROCKSDB needs Flink's FRocksDB, but "
              + ROCKSDB_CLASS
              + " comes from "
              + used
              + (frocksDb == null ? ", without FRocksDB's classes" : ", FRocksDB from " + flinks)
              + ": another RocksDB on the class path (such as Kafka Streams' rocksdbjni in a JVM"
              + " that also runs xds-control) makes every checkpoint fail. Use HASHMAP in such a"
              + " JVM, or run the job on a Flink cluster");
    }
  }

  private static @Nullable Class<?> load(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static @Nullable URL location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    return source == null ? null : source.getLocation();
  }
}
