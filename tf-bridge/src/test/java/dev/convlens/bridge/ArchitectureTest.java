package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** tf-bridge's package rules: the user API is free of TF Java and Jackson types, the sub-packages layer without cycles. */
class ArchitectureTest {
  private static final JavaClasses CLASSES = ArchitectureRules.mainClasses("dev.convlens.bridge");

  @Test
  void userApiHasNoTensorFlowOrJacksonTypes() {
    ArchitectureRules.noTensorFlowOrJacksonInUserApi().check(CLASSES);
  }

  @Test
  void subPackagesLayerWithoutCycles() {
    for (ArchRule rule : ArchitectureRules.bridgeLayering()) {
      rule.check(CLASSES);
    }
  }

  @Test
  void everyPackageIsNullMarked() {
    ArchitectureRules.requireNullMarked(CLASSES);
  }

  @Test
  void noStaticModelCaches() {
    ArchitectureRules.noStaticModelCaches().check(CLASSES);
  }

  /** The rules can fail: a class that caches models statically breaks the cache rule. */
  @Test
  void rulesCatchAViolation() {
    JavaClasses bad = new com.tngtech.archunit.core.importer.ClassFileImporter().importClasses(StaticCache.class);
    assertThrows(AssertionError.class, () -> ArchitectureRules.noStaticModelCaches().check(bad));
    assertFalse(bad.isEmpty());
  }

  /** The null-marked check can fail: the test fixtures' package has a package-info without @NullMarked. */
  @Test
  void nullMarkedCheckCatchesAnUnmarkedPackage() throws Exception {
    JavaClasses fixtures = new com.tngtech.archunit.core.importer.ClassFileImporter().importClasses(
        ArchitectureRules.class, Class.forName("dev.convlens.bridge.fixtures.package-info"));
    assertEquals(java.util.Set.of("dev.convlens.bridge.fixtures"), ArchitectureRules.packagesNotNullMarked(fixtures));
    assertThrows(AssertionError.class, () -> ArchitectureRules.requireNullMarked(fixtures));
    assertEquals(java.util.Set.of(), ArchitectureRules.packagesNotNullMarked(CLASSES));
  }

  @SuppressWarnings("unused")
  private static final class StaticCache {
    private static final java.util.Map<KerasModel, Object> CACHE = new java.util.WeakHashMap<>();
  }
}
