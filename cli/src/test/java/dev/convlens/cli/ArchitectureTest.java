package dev.convlens.cli;

import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The command line meets tf-bridge only through its public API and the SPI, and caches no model statically. */
class ArchitectureTest {
  @Test
  void usesOnlyThePublicBridgeAndNoStaticModelCaches() {
    ArchitectureRules.checkModule("dev.convlens.cli");
  }
}
