package dev.convlens.bridge.keras;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.FixtureLayer;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Keras file layout of the same fixture model loads to the same graph: final output and
 * every layer's activation bit-identical to the model built straight from the fixture's config
 * and weights. Fixture files are written to a temp dir here, so this needs no {@code ../shared}.
 */
class FileLayoutsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** One way a Keras user can hand us a model: a function from (fixture, dir) to a loaded model. */
  private record Layout(String name, boolean flatOnly, ConfigDialect onlyDialect, LayoutLoader loader) {
    Layout(String name, boolean flatOnly, LayoutLoader loader) {
      this(name, flatOnly, null, loader);
    }

    /** Layouts that test a loading option rather than a file form run for one dialect, to stay fast. */
    boolean appliesTo(ConfigDialect d, boolean flat) {
      return (!flatOnly || flat) && (onlyDialect == null || onlyDialect == d);
    }
  }

  @FunctionalInterface
  private interface LayoutLoader {
    KerasModel load(KerasModelFixture f, Path dir) throws Exception;
  }

  private static final List<Layout> LAYOUTS = List.of(
      new Layout("full HDF5 (model.save .h5)", false,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeKeras2FullH5(f, d.resolve("m.h5")))),
      new Layout("full HDF5, Keras 2.0.5 _1 naming", false,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeKeras2FullH5(f, d.resolve("m205.hdf5"), true))),
      new Layout("model JSON + weights-only HDF5", false,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeModelJson(f, d.resolve("m.json")),
              LoadOptions.defaults().withWeights(KerasFixtureFiles.writeWeightsOnlyH5(f, d.resolve("w.h5"), false)))),
      new Layout(".keras zip", false,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeKerasZip(f, d.resolve("m.keras")))),
      new Layout("full HDF5 named .keras", false,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeHdf5NamedKeras(f, d.resolve("h5inside.keras")))),
      new Layout("fromConfig(model JSON) + full-model HDF5 as weights file", false,
          (f, d) -> {
            Path json = KerasFixtureFiles.writeModelJson(f, d.resolve("arch.json"));
            Path weights = KerasFixtureFiles.writeKeras2FullH5(f, d.resolve("weights_from_full.h5"));
            return KerasModel.fromConfig(JSON.readTree(json.toFile()).toString(), LoadOptions.defaults().withWeights(weights));
          }),
      new Layout("full HDF5 of other weights, replaced by withWeights", false, ConfigDialect.KERAS_2,
          (f, d) -> {
            KerasModelFixture zeros = withWeights(f, w -> new FloatTensor(w.shape(), new float[w.data().length]));
            Path model = KerasFixtureFiles.writeKeras2FullH5(zeros, d.resolve("zeros.h5"));
            Path weights = KerasFixtureFiles.writeWeightsOnlyH5(f, d.resolve("real.h5"), false);
            return KerasModel.load(model, LoadOptions.defaults().withWeights(weights));
          }),
      new Layout("model JSON + weights-only HDF5 with original VGG naming", true,
          (f, d) -> KerasModel.load(KerasFixtureFiles.writeModelJson(f, d.resolve("vgg.json")),
              LoadOptions.defaults().withWeights(KerasFixtureFiles.writeWeightsOnlyH5(f, d.resolve("vgg.h5"), true)))));

  static Stream<Arguments> fixtures() {
    List<Arguments> out = new ArrayList<>();
    for (ConfigDialect d : ConfigDialect.values()) {
      out.add(Arguments.of(d, "allLayerTypes", FixtureModels.allLayerTypes(d)));
      out.add(Arguments.of(d, "nestedTwoDeepAndFrozen", nestedTwoDeepAndFrozen(d)));
    }
    // Flat Sequential models (the only ones the original VGG naming can hold), old and new form,
    // and the real .keras convnet's structure in its own dialect; fewer dialects keep this fast.
    for (ConfigDialect d : List.of(ConfigDialect.KERAS_2_2, ConfigDialect.KERAS_2, ConfigDialect.KERAS_3)) {
      out.add(Arguments.of(d, "decoderLayers", FixtureModels.decoderLayers(d)));
    }
    out.add(Arguments.of(ConfigDialect.KERAS_2_0, "smallSequential", FixtureModels.smallSequential(ConfigDialect.KERAS_2_0)));
    out.add(Arguments.of(ConfigDialect.KERAS_2, "smallSequential", FixtureModels.smallSequential(ConfigDialect.KERAS_2)));
    out.add(Arguments.of(ConfigDialect.KERAS_2_SAVING_V3, "convnetWithAugmentation",
        FixtureModels.convnetWithAugmentation(ConfigDialect.KERAS_2_SAVING_V3)));
    return out.stream();
  }

  /**
   * A Functional inside a Functional inside the model ({@code outer/inner/conv}) and a frozen
   * Sequential (implicit input) holding a BatchNormalization, whose weights Keras 2 reorders.
   */
  static KerasModelFixture nestedTwoDeepAndFrozen(ConfigDialect d) {
    FixtureBuilder inner = FixtureBuilder.functional("inner").seed(11).input("inner_in", 8, 8, 4)
        .conv2d("conv", 4, 3, "same", "relu").batchNorm("inner_bn");
    FixtureBuilder outer = FixtureBuilder.functional("outer").seed(12).input("outer_in", 8, 8, 4)
        .nested(inner).dense("outer_dense", 6, "relu");
    FixtureBuilder frozen = FixtureBuilder.sequential("frozen").seed(13).trainable(false)
        .conv2d("frozen_conv", 5, 1, "valid", "linear").batchNorm("frozen_bn");
    return FixtureBuilder.functional("nested").dialect(d).seed(14)
        .input("image", 8, 8, 3)
        .conv2d("stem", 4, 3, "same", "relu")
        .nested(outer)
        .nested(frozen)
        .globalAvgPool("gap")
        .dense("head", 3, "softmax")
        .build();
  }

  @ParameterizedTest(name = "{1} in {0}")
  @MethodSource("fixtures")
  void everyLayoutLoadsToTheSameActivations(ConfigDialect dialect, String fixtureName, KerasModelFixture fixture) {
    FloatTensor input;
    Map<String, FloatTensor> expected;
    List<String> expectedPaths;
    FloatTensor expectedOutput;
    try (KerasModel reference = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(),
        LoadOptions.defaults())) {
      input = input(reference.inputShape(), 2, 1234);
      expectedPaths = paths(reference);
      expected = reference.activations(input, expectedPaths);
      expectedOutput = reference.predict(input);
      checkLayersAndSummary(fixture, reference);
    }
    boolean flat = fixture.layers().stream().noneMatch(FixtureLayer::isModel);
    List<Executable> checks = new ArrayList<>();
    int index = 0;
    for (Layout layout : LAYOUTS) {
      if (!layout.appliesTo(dialect, flat)) {
        continue;
      }
      Path layoutDir = dir.resolve("layout" + index++);
      checks.add(() -> {
        java.nio.file.Files.createDirectories(layoutDir);
        try (KerasModel m = layout.loader().load(fixture, layoutDir)) {
          assertEquals(expectedPaths, paths(m), layout.name() + ": layer paths");
          Map<String, FloatTensor> got = m.activations(input, expectedPaths);
          for (String p : expectedPaths) {
            FloatTensor e = expected.get(p);
            FloatTensor g = got.get(p);
            assertArrayEquals(e.shape(), g.shape(), layout.name() + ": shape of " + p);
            assertArrayEquals(e.data(), g.data(), layout.name() + ": activation of " + p);
          }
          assertArrayEquals(expectedOutput.data(), m.predict(input).data(), layout.name() + ": predict");
          checkLayersAndSummary(fixture, m);
        }
      });
    }
    assertAll(dialect + " " + fixtureName, checks);
  }

  /**
   * Every fixture layer is addressable by nested path and, when its name is unique, by Keras name;
   * its parameter counts (from the fixture's own arrays) match layers() and both summaries.
   */
  private static void checkLayersAndSummary(KerasModelFixture fixture, KerasModel m) {
    Map<String, FixtureLayer> byPath = new LinkedHashMap<>();
    collect(fixture.layers(), "", byPath);
    Map<String, Integer> nameUses = new HashMap<>();
    byPath.values().forEach(l -> nameUses.merge(l.name(), 1, Integer::sum));
    String summary = m.summary();
    String expanded = m.summary(true);
    long total = 0;
    long trainable = 0;
    for (var e : byPath.entrySet()) {
      String path = e.getKey();
      FixtureLayer layer = e.getValue();
      long[] counts = parameterCounts(fixture, path, trainablePath(fixture, path));
      LayerInfo info = m.layer(path);
      assertEquals(path, info.path());
      assertEquals(layer.name(), info.name());
      assertEquals(layer.className(), info.className(), path);
      assertEquals(counts[0], info.parameters(), "parameters of " + path);
      assertEquals(counts[1], info.trainableParameters(), "trainable parameters of " + path);
      if (nameUses.get(layer.name()) == 1) {
        assertEquals(path, m.layer(layer.name()).path(), "by Keras name " + layer.name());
      }
      boolean topLevel = !path.contains("/");
      if (topLevel) {
        assertSummaryRow(summary, layer.name() + " (" + layer.className() + ")", counts[0]);
        total += counts[0];
        trainable += counts[1];
      }
      assertSummaryRow(expanded, path + " (" + layer.className() + ")", counts[0]);
    }
    assertEquals(total, totalLine(summary, "Total params: "), "total params\n" + summary);
    assertEquals(trainable, totalLine(summary, "Trainable params: "), "trainable params\n" + summary);
    assertEquals(total - trainable, totalLine(summary, "Non-trainable params: "), "non-trainable\n" + summary);
  }

  private static void collect(List<FixtureLayer> layers, String prefix, Map<String, FixtureLayer> out) {
    for (FixtureLayer l : layers) {
      String path = prefix + l.name();
      out.put(path, l);
      collect(l.sublayers(), path + "/", out);
    }
  }

  /** Whether the layer and every model containing it are trainable, as Keras freezes a whole sub-tree. */
  private static boolean trainablePath(KerasModelFixture fixture, String path) {
    List<FixtureLayer> level = fixture.layers();
    boolean trainable = true;
    for (String segment : path.split("/")) {
      FixtureLayer l = level.stream().filter(x -> x.name().equals(segment)).findFirst().orElseThrow();
      trainable &= l.trainable();
      level = l.sublayers();
    }
    return trainable;
  }

  /** {all, trainable} parameters of a layer, or of every layer under a nested model's path. */
  private static long[] parameterCounts(KerasModelFixture fixture, String path, boolean layerTrainable) {
    long all = 0;
    long trainable = 0;
    for (var e : fixture.allWeights().entrySet()) {
      String p = String.join("/", e.getKey());
      if (!p.equals(path) && !p.startsWith(path + "/")) {
        continue;
      }
      boolean subTrainable = trainablePath(fixture, p);
      for (WeightArray w : e.getValue()) {
        all += w.value().size();
        // Keras keeps BatchNormalization's moving statistics and Normalization's adapted state non-trainable.
        if (layerTrainable && subTrainable && !w.name().startsWith("moving_")
            && !java.util.Set.of("mean", "variance", "count").contains(w.name().replaceAll(":0$", ""))) {
          trainable += w.value().size();
        }
      }
    }
    return new long[] {all, trainable};
  }

  /** A summary row starts with the (possibly cut) label and shows the parameter count as its own field. */
  private static void assertSummaryRow(String summary, String label, long params) {
    String head = label.substring(0, Math.min(label.length(), 28));
    boolean found = summary.lines().anyMatch(line -> line.startsWith(head)
        && List.of(line.substring(head.length()).trim().split("\\s+")).contains(Long.toString(params)));
    assertTrue(found, "no summary row '" + head + "...' with " + params + " parameters in\n" + summary);
  }

  private static long totalLine(String summary, String prefix) {
    String line = summary.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no '" + prefix + "' in\n" + summary));
    return Long.parseLong(line.substring(prefix.length()).replaceAll("[^0-9]", ""));
  }

  private static List<String> paths(KerasModel m) {
    return m.layers().stream().map(LayerInfo::path).toList();
  }

  /** A batch of deterministic pixel-like values in [0, 255) for a model input shape {@code [-1, ...]}. */
  private static FloatTensor input(long[] modelInputShape, int batch, long seed) {
    long[] shape = modelInputShape.clone();
    shape[0] = batch;
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] data = new float[(int) n];
    Random r = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat() * 255f;
    }
    return new FloatTensor(shape, data);
  }

  /** The same model with every weight array replaced. */
  private static KerasModelFixture withWeights(KerasModelFixture f, Function<FloatTensor, FloatTensor> replace) {
    Map<List<String>, List<WeightArray>> weights = new LinkedHashMap<>();
    f.allWeights().forEach((path, list) -> weights.put(path,
        list.stream().map(w -> new WeightArray(w.name(), replace.apply(w.value()))).toList()));
    return new KerasModelFixture(f.modelConfig(), weights, f.dialect(), f.kerasVersion());
  }
}
