package dev.convlens.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The Spark module meets tf-bridge only through its public API, like the others; its one JVM-wide
 * registry of models is ExecutorModels (Spark gives tasks nothing else that lives as long as the executor).
 */
class ArchitectureTest {
  @Test
  void usesOnlyThePublicBridgeAndNoStaticModelCaches() {
    ArchitectureRules.checkModule("dev.convlens.spark");
  }

  @Test
  void onlyExecutorModelsHoldsModelsInAStaticField() {
    noFields().that().areStatic().and().areDeclaredInClassesThat().doNotHaveSimpleName("ExecutorModels")
        .should().haveRawType(java.util.Map.class)
        .orShould().haveRawType(dev.convlens.visualize.ImageClassifier.class)
        .check(ArchitectureRules.mainClasses("dev.convlens.spark"));
  }
}
