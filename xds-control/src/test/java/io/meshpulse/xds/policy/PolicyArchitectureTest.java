package io.meshpulse.xds.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class PolicyArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.meshpulse.xds");

  @Test
  void policyAndSnapshotAndTopologyModel_importNoFrameworkNorServerCode() {
    noClasses()
        .that()
        .resideInAnyPackage("io.meshpulse.xds.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework..",
            "io.grpc..",
            "org.apache.kafka..",
            "io.envoyproxy..",
            "io.meshpulse.xds.server..",
            "io.meshpulse.xds.health..",
            "io.meshpulse.xds.api..",
            "io.meshpulse.xds.decision..",
            "io.meshpulse.xds.snapshot..")
        .check(CLASSES);
  }

  @Test
  void snapshotBuilders_importNoSpringGrpcNorKafka() {
    noClasses()
        .that()
        .resideInAnyPackage("io.meshpulse.xds.snapshot..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework..",
            "io.grpc..",
            "org.apache.kafka..",
            "io.envoyproxy.controlplane.server..",
            "io.meshpulse.xds.server..",
            "io.meshpulse.xds.api..")
        .allowEmptyShould(true)
        .check(CLASSES);
  }
}
