package dev.convlens.visualize;

import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** visualize meets tf-bridge only through its public API and the SPI, caches no model statically, and null-marks every package. */
class ArchitectureTest {
  @Test
  void usesOnlyThePublicBridgeAndNoStaticModelCaches() {
    ArchitectureRules.checkModule("dev.convlens.visualize");
  }
}
