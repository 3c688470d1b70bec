package io.meshpulse.xds.rollout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class RolloutArchitectureTest {

  @Test
  void rollouts_importNoFrameworkNorAdapterCode() {
    noClasses()
        .that()
        .resideInAnyPackage("io.meshpulse.xds.rollout..")
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
            "io.meshpulse.xds.control..",
            "io.meshpulse.xds.snapshot..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.meshpulse.xds.rollout"));
  }
}
