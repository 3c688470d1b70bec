package io.meshpulse.collector.mapping;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class MappingArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.meshpulse.collector");

  @Test
  void mapping_importsNoFrameworkGrpcOrKafka() {
    noClasses()
        .that()
        .resideInAPackage("io.meshpulse.collector.mapping..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework..",
            "io.grpc..",
            "org.apache.kafka..",
            "io.micrometer..",
            "io.prometheus.metrics..",
            "io.meshpulse.collector.ingest..",
            "io.meshpulse.collector.sink..",
            "io.meshpulse.collector.metrics..")
        .check(classes);
  }

  @Test
  void sinkAndMetrics_doNotReachIntoTheGrpcEdge() {
    noClasses()
        .that()
        .resideInAnyPackage("io.meshpulse.collector.sink..", "io.meshpulse.collector.metrics..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "io.meshpulse.collector.ingest..")
        .check(classes);
  }
}
