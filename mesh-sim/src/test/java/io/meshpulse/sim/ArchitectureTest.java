package io.meshpulse.sim;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.meshpulse.sim");

  @Test
  void scenarioAndModel_areFreeOfGrpcAndProtobuf() {
    noClasses()
        .that()
        .resideInAnyPackage("io.meshpulse.sim.scenario..", "io.meshpulse.sim.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "com.google.protobuf..", "io.envoyproxy..")
        .check(CLASSES);
  }

  @Test
  void xdsParsing_isFreeOfGrpcExceptTheAdsClient() {
    noClasses()
        .that()
        .resideInAPackage("io.meshpulse.sim.xds..")
        .and()
        .doNotHaveSimpleName("AdsClient")
        .and()
        .areNotNestedClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..")
        .check(CLASSES);
  }

  @Test
  void lowerLayers_doNotReachIntoTheSimulation() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.meshpulse.sim.scenario..",
            "io.meshpulse.sim.model..",
            "io.meshpulse.sim.xds..",
            "io.meshpulse.sim.telemetry..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.meshpulse.sim")
        .check(CLASSES);
  }
}
