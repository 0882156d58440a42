package dev.convlens.cli;

import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The command line meets tf-bridge only through its public API and the SPI, caches no model statically, and null-marks every package. */
class ArchitectureTest {
  @Test
  void usesOnlyThePublicBridgeAndNoStaticModelCaches() {
    ArchitectureRules.checkModule("dev.convlens.cli");
  }
}
