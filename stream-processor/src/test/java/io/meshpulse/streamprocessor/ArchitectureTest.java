package io.meshpulse.streamprocessor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.meshpulse.streamprocessor");

  @Test
  void scorePackage_isPure_noFlinkNoKafkaClients() {
    noClasses()
        .that()
        .resideInAPackage("..streamprocessor.score..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..",
            "org.apache.kafka..",
            "io.meshpulse.streamprocessor.job..",
            "io.meshpulse.streamprocessor.io..")
        .because("the score formula is unit-testable without a Flink job or a broker")
        .check(CLASSES);
  }

  @Test
  void ioPackage_doesNotReachIntoTheJobWiring() {
    noClasses()
        .that()
        .resideInAPackage("..streamprocessor.io..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.meshpulse.streamprocessor.job..")
        .check(CLASSES);
  }
}
