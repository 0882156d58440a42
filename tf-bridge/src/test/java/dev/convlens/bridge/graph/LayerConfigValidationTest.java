package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every numeric and enum field of every built-in layer class, mutated to values a corrupted or
 * hostile config may hold (0, -1, 2^31, a number as a string, null, missing, a wrong string, a
 * fraction, a boolean, lists, huge values): each mutated model either loads and predicts finite
 * values, or fails at load with a {@link ModelFormatException} naming the layer, its class and the
 * field. No TF exception, no wrapped NPE, nothing at predict. Config-only models with random
 * weights, so the whole walk takes seconds.
 */
class LayerConfigValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Stands for "remove the field". */
  private static final JsonNode MISSING = NODES.missingNode();

  /** The values each field is mutated to. */
  private static final List<JsonNode> VALUES = List.of(
      NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(2147483648L), NODES.textNode("32"),
      NODES.nullNode(), MISSING, NODES.textNode("bogus"), NODES.numberNode(1.5), NODES.booleanNode(true),
      NODES.numberNode(100000), NODES.numberNode(-2147483649L), NODES.numberNode(1e300),
      json("[0, 0]"), json("[2147483647, 2147483647]"), json("[1, 2, 3]"), json("[]"), json("{\"a\": 1}"),
      json("[\"3\", 3]"), json("[[1, 1], [1, -1]]"), json("[3.5, 3]"));

  /** A small model whose last layer is the one under test, and the fields to mutate. */
  private record Case(String className, String layer, FixtureBuilder model, List<String> fields) {
    Case(String className, String layer, FixtureBuilder model, String... fields) {
      this(className, layer, model, List.of(fields));
    }
  }

  private static FixtureBuilder in() {
    return FixtureBuilder.functional("m").input("in", 6, 6, 2);
  }

  private static ObjectNode object(String json) {
    return (ObjectNode) json(json);
  }

  private static JsonNode json(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static List<Case> cases() {
    List<String> conv = List.of("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "activation", "use_bias", "groups", "trainable");
    List<String> depthwise = List.of("kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "depth_multiplier", "activation", "use_bias");
    List<String> separable = new ArrayList<>(depthwise);
    separable.add("filters");
    List<String> pool = List.of("pool_size", "strides", "padding", "data_format");
    return List.of(
        new Case("Conv2D", "l", in().conv2d("l", 3, 3, "same", "relu"), conv),
        new Case("DepthwiseConv2D", "l", in().depthwiseConv2d("l", 3, "same"), depthwise),
        new Case("SeparableConv2D", "l", in().separableConv2d("l", 3, 3, "same", "relu"), separable),
        new Case("Dense", "l", FixtureBuilder.functional("m").input("in", 5).dense("l", 3, "tanh"),
            "units", "activation", "use_bias", "trainable"),
        new Case("MaxPooling2D", "l", in().maxPool("l", 2), pool),
        new Case("AveragePooling2D", "l", in().avgPool("l", 2, 1, "same"), pool),
        new Case("GlobalAveragePooling2D", "l", in().globalAvgPool("l"), "data_format", "keepdims"),
        new Case("GlobalMaxPooling2D", "l", in().globalMaxPool("l"), "data_format", "keepdims"),
        new Case("ZeroPadding2D", "l", in().zeroPadding("l", 1), "padding", "data_format"),
        new Case("Cropping2D", "l", in().customLayer("Cropping2D", "l",
            object("{\"cropping\": [[1, 1], [1, 1]], \"data_format\": \"channels_last\"}")), "cropping", "data_format"),
        new Case("Flatten", "l", in().flatten("l"), "data_format"),
        new Case("Reshape", "l", in().reshape("l", 36, 2), "target_shape"),
        new Case("BatchNormalization", "l", in().batchNorm("l"), "axis", "epsilon", "momentum", "center", "scale"),
        new Case("Activation", "l", in().activation("l", "relu"), "activation"),
        new Case("ReLU", "l", in().relu("l", 6.0, 0.1, 0.0), "max_value", "negative_slope", "threshold"),
        new Case("LeakyReLU", "l", in().leakyRelu("l", 0.2), "alpha"),
        new Case("LeakyReLU", "l", in().dialect(ConfigDialect.KERAS_3).leakyRelu("l", 0.2), "negative_slope"),
        new Case("ELU", "l", in().customLayer("ELU", "l", object("{\"alpha\": 0.5}")), "alpha"),
        new Case("Softmax", "l", in().customLayer("Softmax", "l", object("{\"axis\": -1}")), "axis"),
        new Case("Rescaling", "l", in().rescaling("l", 0.5, 0.1), "scale", "offset"),
        new Case("Dropout", "l", in().dropout("l", 0.5), "rate"),
        new Case("SpatialDropout2D", "l", in().spatialDropout("l", 0.5), "rate"),
        new Case("GaussianNoise", "l", in().customLayer("GaussianNoise", "l", object("{\"stddev\": 0.1}")), "stddev"),
        new Case("Concatenate", "l", in().relu("a").from("in").relu("b").concatenate("l", -1, "a", "b"), "axis"),
        new Case("InputLayer", "in", in().globalMaxPool("g"), "batch_input_shape"),
        new Case("Conv2DTranspose", "l", in().conv2dTranspose("l", 3, 3, 2, "same", 1, "relu"),
            "filters", "kernel_size", "strides", "padding", "output_padding", "dilation_rate", "activation"),
        new Case("UpSampling2D", "l", in().upSampling("l", 2, "bilinear"), "size", "interpolation", "data_format"),
        new Case("Resizing", "l", in().resizing("l", 4, 5, "area", true), "height", "width", "interpolation",
            "crop_to_aspect_ratio"),
        new Case("CenterCrop", "l", in().centerCrop("l", 4, 8), "height", "width"),
        new Case("PReLU", "l", in().prelu("l", 1, 2), "shared_axes"),
        new Case("ThresholdedReLU", "l", in().thresholdedRelu("l", 0.5), "theta"),
        new Case("Permute", "l", in().permute("l", 2, 1, 3), "dims"),
        new Case("Normalization", "l", in().normalization("l"), "axis", "mean", "variance", "invert"));
  }

  @TestFactory
  Stream<DynamicTest> everyFieldMutatedLoadsAndPredictsFiniteOrFailsNamingIt() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.className() + " " + c.fields(), () -> {
      KerasModelFixture f = c.model().build();
      List<String> failures = new ArrayList<>();
      for (String field : c.fields()) {
        for (JsonNode value : VALUES) {
          String what = c.className() + "." + field + " = " + (value.isMissingNode() ? "(missing)" : value);
          String outcome = outcome(edited(f, c.layer(), cfg -> set(cfg, field, value)), c, field);
          if (outcome != null && !outcome.isEmpty()) {
            failures.add(what + ": " + outcome);
          }
        }
      }
      assertTrue(failures.isEmpty(), failures.size() + " bad outcomes:\n" + String.join("\n", failures));
    }));
  }

  /**
   * Null when the model loaded and predicted finite values, "" when it failed at load as it
   * should, else what went wrong.
   */
  private static String outcome(ObjectNode config, Case c, String field) {
    long start = System.nanoTime();
    try (KerasModel m = KerasModel.fromConfig(config.toString(), LoadOptions.defaults().withRandomWeights(7))) {
      float[] out = m.predict(randomInput(m.inputShape())).data();
      for (float v : out) {
        if (!Float.isFinite(v)) {
          return "loaded but predicted " + v;
        }
      }
      return slow(start);
    } catch (ModelFormatException e) {
      String msg = e.getMessage();
      boolean names = msg.contains("'" + c.layer() + "'") && msg.contains(c.className()) && msg.contains(field);
      String slow = slow(start);
      return !names ? "message does not name layer, class and field: " + msg : slow == null ? "" : slow;
    } catch (Throwable e) {
      return "escaped as " + e;
    }
  }

  /** Each case must answer quickly: a hostile config must not make the loader (or predict) grind. */
  private static String slow(long start) {
    long ms = (System.nanoTime() - start) / 1_000_000;
    return ms > 10_000 ? "took " + ms + " ms" : null;
  }

  /** Two samples of the model's input shape ({@code [-1, ...]}, unknown sizes 5), uniform in [-1, 1]. */
  private static FloatTensor randomInput(long[] shape) {
    long[] batch = shape.clone();
    batch[0] = 2;
    int n = 1;
    for (int i = 0; i < batch.length; i++) {
      batch[i] = batch[i] < 0 ? 5 : batch[i];
      n *= (int) batch[i];
    }
    Random r = new Random(3);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextFloat() * 2 - 1;
    }
    return new FloatTensor(batch, x);
  }

  private static void set(ObjectNode config, String field, JsonNode value) {
    if (value.isMissingNode()) {
      config.remove(field);
    } else if (field.equals("batch_input_shape")) {
      // The input's shape is a list of axes: mutate one axis (a whole-list mutation is the parser's business).
      config.set(field, JSON.createArrayNode().addNull().add(value).add(6).add(2));
    } else {
      config.set(field, value.deepCopy());
    }
  }

  // ---- the cases of the issue, one by one ---------------------------------------------------

  @Test
  void poolSizeZeroFailsAtLoadNotAtPredict() {
    ModelFormatException e = loadFails(in().maxPool("pool", 2), "pool", c -> c.set("pool_size", json("[0, 0]")));
    assertNames(e, "pool", "MaxPooling2D", "'pool_size' is [0,0], expected a positive int or a pair of positive ints");
  }

  @Test
  void missingKernelSizeIsNamedNotAWrappedNullPointer() {
    ModelFormatException e = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.remove("kernel_size"));
    assertNames(e, "conv", "Conv2D", "'kernel_size' is missing, expected a positive int or a pair of positive ints");
    ModelFormatException units = loadFails(FixtureBuilder.functional("m").input("in", 3).dense("d", 2, "relu"),
        "d", c -> c.remove("units"));
    assertNames(units, "d", "Dense", "'units' is missing, expected a positive int");
  }

  @Test
  void filtersBeyondIntRangeOrAsAStringAreRefusedNotWrappedAround() {
    ModelFormatException big = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("filters", 2147483648L));
    assertNames(big, "conv", "Conv2D", "'filters' is 2147483648, expected a positive int");
    ModelFormatException text = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("filters", "32"));
    assertNames(text, "conv", "Conv2D", "'filters' is \"32\", expected a positive int");
    ModelFormatException fraction = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("filters", 3.5));
    assertNames(fraction, "conv", "Conv2D", "'filters' is 3.5");
  }

  @Test
  void wholeNumbersWrittenAsFloatsAreAccepted() throws Exception {
    // Python writes 3.0 for a float that was meant as 3; Keras 2 converts with int().
    try (KerasModel m = load(edited(in().conv2d("conv", 4, 3, "same", "relu").build(), "conv",
        c -> c.put("filters", 4.0).set("kernel_size", json("[3.0, 3]"))))) {
      assertEquals(4, m.predict(randomInput(m.inputShape())).shape()[3]);
    }
  }

  @Test
  void outputsWithoutRowsOrColumnsAreRefusedNamingTheShapes() {
    // The fixture builder refuses these shapes itself: build a fitting layer, then widen its window.
    ModelFormatException conv = loadFails(FixtureBuilder.functional("m").input("in", 2, 2, 1)
        .conv2d("conv", 1, 1, "valid", "linear"), "conv", c -> c.set("kernel_size", json("[3, 3]")));
    assertNames(conv, "conv", "Conv2D", "'kernel_size' [3, 3] and 'valid' padding does not fit input shape [-1, 2, 2, 1]");
    ModelFormatException pool = loadFails(FixtureBuilder.functional("m").input("in", 4, 4, 1).maxPool("pool", 2),
        "pool", c -> c.set("pool_size", json("[5, 5]")));
    assertNames(pool, "pool", "MaxPooling2D", "'pool_size' [5, 5] and 'valid' padding does not fit input shape");
    ModelFormatException dilated = loadFails(in().conv2d("conv", 1, 3, "valid", "linear"), "conv",
        c -> c.set("dilation_rate", json("[3, 3]")));
    assertNames(dilated, "conv", "Conv2D", "with 'dilation_rate' [3, 3] and 'valid' padding does not fit");
    ModelFormatException crop = loadFails(in().customLayer("Cropping2D", "crop",
        object("{\"cropping\": [[3, 3], [0, 0]]}")), "crop", c -> { });
    assertNames(crop, "crop", "Cropping2D", "'cropping' [[3, 3], [0, 0]] leaves nothing of input shape [-1, 6, 6, 2]");
  }

  @Test
  void aPoolWiderThanItsInputIsFineWithSamePadding() {
    try (KerasModel m = load(edited(FixtureBuilder.functional("m").input("in", 4, 4, 1).maxPool("p", 5, 1, "same").build(),
        "p", c -> { }))) {
      assertEquals(4, m.predict(randomInput(m.inputShape())).shape()[1]);
    }
  }

  @Test
  void aKernelFarWiderThanItsInputIsRefused() {
    // Under 'same' padding TF computes every tap: 2000x2000 on 8x8 took 16 s and gigabytes.
    ModelFormatException e = loadFails(FixtureBuilder.functional("m").input("in", 8, 8, 1)
        .conv2d("conv", 1, 3, "same", "linear"), "conv", c -> c.set("kernel_size", json("[2000, 2000]")));
    assertNames(e, "conv", "Conv2D", "'kernel_size' [2000, 2000] is more than 3 times the input");
  }

  @Test
  void reshapeTargetsMustHoldTheInputsValues() {
    ModelFormatException e = loadFails(in().reshape("r", 36, 2), "r", c -> c.set("target_shape", json("[5, 7]")));
    assertNames(e, "r", "Reshape", "'target_shape' [5,7] does not fit the 72 values per sample");
    ModelFormatException free = loadFails(in().reshape("r", 36, 2), "r", c -> c.set("target_shape", json("[-1, 5]")));
    assertNames(free, "r", "Reshape", "does not fit the 72 values per sample");
    ModelFormatException twoFree = loadFails(in().reshape("r", 36, 2), "r",
        c -> c.set("target_shape", json("[-1, -1]")));
    assertNames(twoFree, "r", "Reshape", "'target_shape' is [-1,-1], expected a non-empty list of positive ints with at"
        + " most one -1");
  }

  @Test
  void ratesOutsideZeroToOneAreRefused() {
    for (double rate : new double[] {1.0, -0.1, 2}) {
      ModelFormatException e = loadFails(in().dropout("drop", 0.5), "drop", c -> c.put("rate", rate));
      assertNames(e, "drop", "Dropout", "'rate' is " + rate + ", expected a rate in [0, 1)");
    }
    ModelFormatException text = loadFails(in().dropout("drop", 0.5), "drop", c -> c.put("rate", "0.5"));
    assertNames(text, "drop", "Dropout", "'rate' is \"0.5\", expected a rate in [0, 1)");
  }

  @Test
  void epsilonMustBePositiveInFloat32() {
    for (double eps : new double[] {0, -1e-3, 1e-50, 1e300}) {
      ModelFormatException e = loadFails(in().batchNorm("bn"), "bn", c -> c.put("epsilon", eps));
      assertNames(e, "bn", "BatchNormalization", "'epsilon' is ");
    }
  }

  @Test
  void unknownPaddingAndDataFormatAreNamed() {
    ModelFormatException causal = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("padding", "causal"));
    assertNames(causal, "conv", "Conv2D", "'padding' is \"causal\", expected one of 'valid', 'same'");
    ModelFormatException format = loadFails(in().maxPool("pool", 2), "pool", c -> c.put("data_format", "nhwc"));
    assertNames(format, "pool", "MaxPooling2D", "'data_format' is \"nhwc\", expected one of 'channels_last',"
        + " 'channels_first'");
    // Keras normalizes case.
    try (KerasModel m = load(edited(in().conv2d("conv", 4, 3, "same", "relu").build(), "conv",
        c -> c.put("padding", "SAME").put("data_format", "Channels_Last")))) {
      assertEquals(6, m.predict(randomInput(m.inputShape())).shape()[1]);
    }
  }

  @Test
  void dilatedDepthwiseIsUnsupportedAtLoadInsteadOfFailingInTf() {
    ModelFormatException e = loadFails(in().depthwiseConv2d("dw", 3, "same"), "dw",
        c -> c.set("dilation_rate", json("[2, 2]")));
    assertTrue(e instanceof UnsupportedLayerException, e.toString());
    assertNames(e, "dw", "DepthwiseConv2D", "depthwise convolution with 'dilation_rate' [2, 2]");
  }

  @Test
  void stridesAndDilationTogetherAreRefusedAsKerasDoes() {
    ModelFormatException e = loadFails(in().conv2d("conv", 4, 3, 2, "same", "relu", true), "conv",
        c -> c.set("dilation_rate", json("[2, 2]")));
    assertNames(e, "conv", "Conv2D", "'strides' [2, 2] and 'dilation_rate' [2, 2] cannot both be above 1");
  }

  @Test
  void weightsBeyondAJavaArrayAreRefusedBeforeAnythingIsAllocated() {
    ModelFormatException e = loadFails(FixtureBuilder.functional("m").input("in", 4096).dense("d", 2, "relu"), "d",
        c -> c.put("units", 2147483647));
    assertNames(e, "d", "Dense", "weight 'kernel' would have shape [4096, 2147483647], more than 2147483639 values");
  }

  @Test
  void zeroPaddingThatExplodesTheOutputIsRefused() {
    ModelFormatException e = loadFails(in().zeroPadding("pad", 1), "pad", c -> c.put("padding", 2000000000));
    assertNames(e, "pad", "ZeroPadding2D", "'padding' [[2000000000, 2000000000], [2000000000, 2000000000]] would make"
        + " the output [-1, 4000000006, 4000000006, 2] hold more than 2147483639 values per sample");
  }

  @Test
  void aSingleInputLayerCalledOnTwoInputsIsRefused() {
    KerasModelFixture f = in().relu("a").from("in").relu("b").add("sum", "a", "b").build();
    ObjectNode config = f.modelConfig();
    for (JsonNode l : config.path("config").path("layers")) {
      if (l.path("config").path("name").asText().equals("sum")) {
        ((ObjectNode) l).put("class_name", "Dense");
        ((ObjectNode) l.get("config")).put("units", 2);
      }
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(config).close());
    assertNames(e, "sum", "Dense", "is called on 2 inputs, expected one");
  }

  @Test
  void trainableMustBeABoolean() {
    ModelFormatException e = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("trainable", "false"));
    assertNames(e, "conv", "Conv2D", "'trainable' is \"false\", expected true or false");
  }

  @Test
  void aHugeValueIsQuotedShortInTheMessage() {
    String huge = "x".repeat(1_000_000);
    ModelFormatException e = loadFails(in().conv2d("conv", 4, 3, "same", "relu"), "conv",
        c -> c.put("padding", huge));
    assertTrue(e.getMessage().length() < 400, e.getMessage().length() + " chars");
  }

  /** Builders read configs through LayerContext only: Jackson's lenient conversions would let "32" or 2**31 through. */
  @Test
  void noBuilderUsesJacksonsLenientConversions() throws IOException {
    Path dir = Path.of("src/main/java/dev/convlens/bridge/graph");
    Pattern lenient = Pattern.compile("\\.as(Int|Long|Double|Boolean|Text)\\(");
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          if (lenient.matcher(lines.get(i)).find()) {
            found.add(p.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    }
    assertTrue(found.isEmpty(), "lenient JSON conversions in the graph package:\n" + String.join("\n", found));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static KerasModel load(ObjectNode config) {
    return KerasModel.fromConfig(config.toString(), LoadOptions.defaults().withRandomWeights(7));
  }

  private static ModelFormatException loadFails(FixtureBuilder model, String layer, Consumer<ObjectNode> change) {
    ObjectNode config = edited(model.build(), layer, change);
    Executable load = () -> {
      try (KerasModel m = load(config)) {
        m.predict(randomInput(m.inputShape()));
        fail("loaded and predicted");
      }
    };
    return assertThrows(ModelFormatException.class, load);
  }

  private static void assertNames(ModelFormatException e, String layer, String className, String detail) {
    String m = e.getMessage();
    assertTrue(m.contains("'" + layer + "'") && m.contains(className), "names the layer and its class: " + m);
    assertTrue(m.contains(detail), "says '" + detail + "': " + m);
  }

  /** The fixture's config with one layer's config changed. */
  private static ObjectNode edited(KerasModelFixture f, String layer, Consumer<ObjectNode> change) {
    ObjectNode config = f.modelConfig();
    for (JsonNode e : config.path("config").path("layers")) {
      if (e.path("config").path("name").asText().equals(layer)) {
        change.accept((ObjectNode) e.get("config"));
        return config;
      }
    }
    throw new IllegalArgumentException("no layer " + layer);
  }
}
