package dev.convlens.bridge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fuzz.Seeds.Kind;
import dev.convlens.bridge.fuzz.Seeds.Seed;
import dev.convlens.bridge.keras.WeightArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Turns a valid seed into a hostile case: byte-level damage (truncation, flipped bytes, zeroed
 * blocks) to the file or to one file of a directory, zip-level damage (an entry removed, renamed or
 * damaged inside), a mutated model config (a value replaced by zero, a negative, an int overflow, a
 * string, null, or removed), or one weight replaced by a non-finite or huge value.
 */
final class Mutations {
  /** A mutated copy of a seed, ready to read. */
  record Case(int id, Seed seed, String mutation, Path file, Path weights) {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Mutations() {}

  static Case mutate(int id, Seed seed, SplittableRandom r, Path dir) {
    try {
      Path caseDir = Files.createDirectories(dir.resolve("case" + id));
      Path file = copy(seed.file(), caseDir.resolve(seed.file().getFileName()));
      Path weights = seed.weights() == null ? null : copy(seed.weights(), caseDir.resolve(seed.weights().getFileName()));
      boolean model = seed.fixture() != null;
      // Models: 3 in 10 byte-level, 4 a config value, 1 a weight, 2 zip-level (or byte-level outside zips).
      int choice = r.nextInt(model ? 10 : 3);
      String what;
      if (choice >= 3 && choice <= 6) {
        what = mutateConfig(seed, file, r);
      } else if (choice == 7) {
        what = mutateWeight(seed, file, weights, r);
      } else if (choice >= 8 && seed.format().equals("keras-zip")) {
        what = mutateZip(file, r);
      } else {
        Path target = weights != null && r.nextBoolean() ? weights : file;
        if (Files.isDirectory(target)) {
          List<Path> files = regularFiles(target);
          target = files.get(r.nextInt(files.size()));
          if (r.nextInt(4) == 0) {
            Files.delete(target);
            return new Case(id, seed, "removed " + file.relativize(target), file, weights);
          }
        }
        what = mutateBytes(target, r) + " in " + target.getFileName();
      }
      return new Case(id, seed, what, file, weights);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String mutateBytes(Path f, SplittableRandom r) throws IOException {
    byte[] b = Files.readAllBytes(f);
    if (b.length == 0) {
      return "empty file kept";
    }
    switch (r.nextInt(3)) {
      case 0 -> {
        int keep = r.nextInt(b.length);
        Files.write(f, java.util.Arrays.copyOf(b, keep));
        return "truncated to " + keep + " of " + b.length + " bytes";
      }
      case 1 -> {
        int n = 1 + r.nextInt(16);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        Files.write(f, b);
        return "flipped " + n + " bytes";
      }
      default -> {
        int len = 1 + r.nextInt(Math.min(4096, b.length));
        int at = r.nextInt(b.length - len + 1);
        java.util.Arrays.fill(b, at, at + len, (byte) 0);
        Files.write(f, b);
        return "zeroed " + len + " bytes at " + at;
      }
    }
  }

  private static String mutateZip(Path zip, SplittableRandom r) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    List<String> names = new ArrayList<>(entries.keySet());
    String victim = names.get(r.nextInt(names.size()));
    String what;
    switch (r.nextInt(3)) {
      case 0 -> {
        entries.remove(victim);
        what = "zip entry " + victim + " removed";
      }
      case 1 -> {
        byte[] v = entries.remove(victim);
        entries.put("renamed_" + victim, v);
        what = "zip entry " + victim + " renamed";
      }
      default -> {
        Path tmp = Files.createTempFile(zip.getParent(), "entry", ".bin");
        Files.write(tmp, entries.get(victim));
        what = "zip entry " + victim + ": " + mutateBytes(tmp, r);
        entries.put(victim, Files.readAllBytes(tmp));
        Files.delete(tmp);
      }
    }
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return what;
  }

  /** Rewrites the seed's format from a fixture whose config has one value changed. */
  private static String mutateConfig(Seed seed, Path file, SplittableRandom r) throws IOException {
    if (seed.format().equals("savedmodel-export")) {
      Path manifest = regularFiles(file).stream().filter(p -> p.getFileName().toString().endsWith(".json"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no JSON manifest in " + file));
      JsonNode root = JSON.readTree(manifest.toFile());
      String what = mutateJson(root, r);
      Files.writeString(manifest, root.toString());
      return manifest.getFileName() + ": " + what;
    }
    ObjectNode config = seed.fixture().modelConfig();
    String what = mutateJson(config, r);
    try {
      write(seed, new KerasModelFixture(config, seed.fixture().allWeights(), seed.fixture().dialect(),
          seed.fixture().kerasVersion()), file, null);
      return "config " + what;
    } catch (RuntimeException notWritable) {
      // The fixture writers need a sound config to lay out a file: the loader gets the JSON itself instead.
      Files.writeString(file, config.toString());
      return "config " + what + " (written as model JSON)";
    }
  }

  private static String mutateWeight(Seed seed, Path file, Path weights, SplittableRandom r) {
    Map<List<String>, List<WeightArray>> all = new LinkedHashMap<>(seed.fixture().allWeights());
    List<List<String>> layers = new ArrayList<>(all.keySet());
    if (layers.isEmpty() || seed.format().equals("savedmodel-export")) {
      return "weights unchanged (no writer for this format)";
    }
    List<String> layer = layers.get(r.nextInt(layers.size()));
    List<WeightArray> list = new ArrayList<>(all.get(layer));
    int w = r.nextInt(list.size());
    float[] data = list.get(w).value().data().clone();
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f};
    float value = bad[r.nextInt(bad.length)];
    data[r.nextInt(data.length)] = value;
    list.set(w, new WeightArray(list.get(w).name(), new FloatTensor(list.get(w).value().shape(), data)));
    all.put(layer, list);
    KerasModelFixture mutated = new KerasModelFixture(seed.fixture().modelConfig(), all, seed.fixture().dialect(),
        seed.fixture().kerasVersion());
    write(seed, mutated, file, weights);
    return "weight " + String.join("/", layer) + "[" + w + "] one value " + value;
  }

  private static void write(Seed seed, KerasModelFixture f, Path file, Path weights) {
    switch (seed.format()) {
      case "hdf5" -> KerasFixtureFiles.writeKeras2FullH5(f, file);
      case "keras-zip" -> KerasFixtureFiles.writeKerasZip(f, file);
      case "json+weights-h5" -> {
        KerasFixtureFiles.writeModelJson(f, file);
        if (weights != null) {
          KerasFixtureFiles.writeWeightsOnlyH5(f, weights, false);
        }
      }
      default -> throw new IllegalStateException("no writer for " + seed.format());
    }
  }

  /** Changes one value (or removes one field) somewhere in the tree; says what. */
  private static String mutateJson(JsonNode root, SplittableRandom r) {
    List<String> paths = new ArrayList<>();
    List<JsonNode> parents = new ArrayList<>();
    collect(root, "", paths, parents);
    // Mostly a layer's own settings (sizes, strides, rates, units), where a bad value reaches the graph.
    List<Integer> layerFields = new ArrayList<>();
    for (int k = 0; k < paths.size(); k++) {
      if (paths.get(k).matches(".*/layers/\\d+/config/[^/]+(/\\d+)?")) {
        layerFields.add(k);
      }
    }
    int i = !layerFields.isEmpty() && r.nextInt(10) < 7 ? layerFields.get(r.nextInt(layerFields.size()))
        : r.nextInt(paths.size());
    JsonNode parent = parents.get(i);
    String path = paths.get(i);
    String key = path.substring(path.lastIndexOf('/') + 1);
    JsonNode[] replacements = {NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(2147483648L),
        NODES.numberNode(1e300), NODES.textNode("32"), NODES.nullNode(), NODES.booleanNode(true),
        NODES.textNode("bogus"), NODES.arrayNode(), NODES.objectNode(), NODES.numberNode(99)};
    int pick = r.nextInt(replacements.length + 1);
    if (parent instanceof ObjectNode o) {
      if (pick == replacements.length) {
        o.remove(key);
        return "removed " + path;
      }
      o.set(key, replacements[pick]);
    } else {
      ArrayNode a = (ArrayNode) parent;
      int index = Integer.parseInt(key);
      if (pick == replacements.length) {
        a.remove(index);
        return "removed " + path;
      }
      a.set(index, replacements[pick]);
    }
    return path + " = " + replacements[pick];
  }

  private static void collect(JsonNode node, String at, List<String> paths, List<JsonNode> parents) {
    if (node instanceof ObjectNode o) {
      o.fields().forEachRemaining(e -> {
        paths.add(at + "/" + e.getKey());
        parents.add(o);
        collect(e.getValue(), at + "/" + e.getKey(), paths, parents);
      });
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        paths.add(at + "/" + i);
        parents.add(a);
        collect(a.get(i), at + "/" + i, paths, parents);
      }
    }
  }

  private static Path copy(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return Files.copy(from, to);
    }
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.sorted(Comparator.naturalOrder()).toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  private static List<Path> regularFiles(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
