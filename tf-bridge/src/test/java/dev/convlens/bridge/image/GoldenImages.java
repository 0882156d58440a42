package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Access to /work/shared/data (system property convlens.shared.data) for the image tests; skips when absent. */
final class GoldenImages {
  private GoldenImages() {}

  static Path sharedData() {
    return dev.convlens.bridge.fixtures.SharedData.require("golden").getParent();
  }

  static Path golden(String name) {
    return sharedData().resolve("golden").resolve(name);
  }

  static JsonNode caseJson(String caseName) {
    try {
      return new ObjectMapper().readTree(golden(caseName + ".json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The golden case names (A/B/C/E x image) whose input records the NEAREST row/column indices. */
  static List<String> imageCases() {
    try (Stream<Path> files = Files.list(sharedData().resolve("golden"))) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".json") && n.matches("[ABCE]_.*__.*\\.json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
