package dev.convlens.server;

import dev.convlens.bridge.fixtures.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The server meets tf-bridge only through its public API, and caches no model statically. */
class ArchitectureTest {
  @Test
  void usesOnlyThePublicBridgeAndNoStaticModelCaches() {
    ArchitectureRules.checkModule("dev.convlens.server");
  }
}
