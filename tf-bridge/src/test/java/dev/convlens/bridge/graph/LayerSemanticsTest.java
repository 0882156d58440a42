package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.graph.NaiveOps.T;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Each supported layer class against {@link NaiveOps}, an independent plain-Java version, on a
 * small random input: equal to 1e-5 of the output's largest magnitude. Models are built with
 * {@link FixtureBuilder} (config edits where it has no option) and loaded with
 * {@link KerasModel#fromConfig(com.fasterxml.jackson.databind.JsonNode, WeightSource, LoadOptions)}.
 */
class LayerSemanticsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-5;

  @Test
  void conv2dPaddingStridesAndDilation() {
    Tiny t = new Tiny(FixtureBuilder.functional("convs").input("in", 8, 8, 3)
        .conv2d("valid_s1", 4, 3, 1, "valid", "linear", true)
        .from("in").conv2d("same_s1_k2", 4, 2, 1, "same", "linear", true)    // pad 0 before, 1 after
        .from("in").conv2d("valid_s2", 4, 3, 2, "valid", "linear", true)
        .from("in").conv2d("same_s2_k3", 4, 3, 2, "same", "linear", true)    // out 4, pad 0 + 1
        .from("in").conv2d("same_s2_k4", 3, 4, 2, "same", "linear", false)   // out 4, pad 1 + 1
        .from("in").conv2d("same_s3_k5", 2, 5, 3, "same", "relu", true)      // out 3, pad 1 + 2
        .from("in").conv2d("dilated_same", 4, 3, 1, "same", "linear", true)
        .from("in").conv2d("dilated_valid", 4, 3, 1, "valid", "tanh", true))
        .edit("dilated_same", c -> c.set("dilation_rate", JSON.valueToTree(new int[] {2, 2})))
        .edit("dilated_valid", c -> c.set("dilation_rate", JSON.valueToTree(new int[] {2, 2})));
    FloatTensor x = random(1, 2, 8, 8, 3);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("valid_s1", NaiveOps.conv2d(in, t.w("valid_s1", 0), t.w("valid_s1", 1), 1, 1, false), out);
    check("same_s1_k2", NaiveOps.conv2d(in, t.w("same_s1_k2", 0), t.w("same_s1_k2", 1), 1, 1, true), out);
    check("valid_s2", NaiveOps.conv2d(in, t.w("valid_s2", 0), t.w("valid_s2", 1), 2, 1, false), out);
    check("same_s2_k3", NaiveOps.conv2d(in, t.w("same_s2_k3", 0), t.w("same_s2_k3", 1), 2, 1, true), out);
    check("same_s2_k4", NaiveOps.conv2d(in, t.w("same_s2_k4", 0), null, 2, 1, true), out);
    check("same_s3_k5", NaiveOps.activation("relu",
        NaiveOps.conv2d(in, t.w("same_s3_k5", 0), t.w("same_s3_k5", 1), 3, 1, true)), out);
    check("dilated_same", NaiveOps.conv2d(in, t.w("dilated_same", 0), t.w("dilated_same", 1), 1, 2, true), out);
    check("dilated_valid", NaiveOps.activation("tanh",
        NaiveOps.conv2d(in, t.w("dilated_valid", 0), t.w("dilated_valid", 1), 1, 2, false)), out);
  }

  @Test
  void depthwiseAndSeparableConvolutions() {
    Tiny t = new Tiny(FixtureBuilder.functional("dw").input("in", 7, 7, 3)
        .depthwiseConv2d("dw_same_m2", 3, 1, 2, "same", "linear", true)
        .from("in").depthwiseConv2d("dw_valid_s2", 3, 2, 1, "valid", "relu6", true)
        .from("in").depthwiseConv2d("dw_same_s2_m3", 3, 2, 3, "same", "linear", false)
        .from("in").separableConv2d("sep_same_m2", 4, 3, 1, 2, "same", "linear", true)
        .from("in").separableConv2d("sep_same_s2", 5, 3, 2, 1, "same", "relu", false)
        .from("in").separableConv2d("sep_valid", 2, 3, 1, 1, "valid", "sigmoid", true));
    FloatTensor x = random(2, 2, 7, 7, 3);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("dw_same_m2", NaiveOps.depthwise(in, t.w("dw_same_m2", 0), t.w("dw_same_m2", 1), 1, true), out);
    check("dw_valid_s2", NaiveOps.activation("relu6",
        NaiveOps.depthwise(in, t.w("dw_valid_s2", 0), t.w("dw_valid_s2", 1), 2, false)), out);
    check("dw_same_s2_m3", NaiveOps.depthwise(in, t.w("dw_same_s2_m3", 0), null, 2, true), out);
    check("sep_same_m2", separable(t, in, "sep_same_m2", 1, true, true, "linear"), out);
    check("sep_same_s2", separable(t, in, "sep_same_s2", 2, true, false, "relu"), out);
    check("sep_valid", separable(t, in, "sep_valid", 1, false, true, "sigmoid"), out);
  }

  /** As tf.nn.separable_conv2d: depthwise with the layer's strides and padding, then a 1x1 conv. */
  private static T separable(Tiny t, T in, String layer, int stride, boolean same, boolean bias, String act) {
    T d = NaiveOps.depthwise(in, t.w(layer, 0), null, stride, same);
    return NaiveOps.activation(act, NaiveOps.conv2d(d, t.w(layer, 1), bias ? t.w(layer, 2) : null, 1, 1, false));
  }

  @Test
  void denseOnRank2AndRank4Inputs() {
    Tiny flat = new Tiny(FixtureBuilder.functional("dense2").input("in", 6)
        .dense("d_relu", 4, "relu")
        .from("in").dense("d_nobias", 3, "linear", false));
    FloatTensor x2 = random(3, 3, 6);
    Map<String, FloatTensor> out2 = flat.run(x2);
    check("d_relu", NaiveOps.activation("relu", NaiveOps.dense(T.of(x2), flat.w("d_relu", 0), flat.w("d_relu", 1))), out2);
    check("d_nobias", NaiveOps.dense(T.of(x2), flat.w("d_nobias", 0), null), out2);

    Tiny spatial = new Tiny(FixtureBuilder.functional("dense4").input("in", 3, 2, 4).dense("d4", 5, "softmax"));
    FloatTensor x4 = random(4, 2, 3, 2, 4);
    check("d4", NaiveOps.activation("softmax", NaiveOps.dense(T.of(x4), spatial.w("d4", 0), spatial.w("d4", 1))),
        spatial.run(x4));
  }

  @Test
  void maxAndAveragePoolingValidAndSame() {
    Tiny t = new Tiny(FixtureBuilder.functional("pools").input("in", 7, 7, 2)
        .maxPool("max_valid_2", 2)                          // floor: 3x3
        .from("in").maxPool("max_same_3s2", 3, 2, "same")   // out 4, pad 1 + 1
        .from("in").maxPool("max_same_2s2", 2, 2, "same")   // out 4, pad 0 + 1
        .from("in").maxPool("max_valid_3s1", 3, 1, "valid")
        .from("in").avgPool("avg_valid_2", 2)
        .from("in").avgPool("avg_valid_3s2", 3, 2, "valid")
        .from("in").avgPool("avg_same_3s2", 3, 2, "same")
        .from("in").avgPool("avg_same_2s1", 2, 1, "same")   // pad 0 + 1
        .from("in").avgPool("avg_same_3s1", 3, 1, "same")); // pad 1 + 1
    // All negative: padding with zeros instead of -inf (max) or counting padding (average) shows.
    FloatTensor x = shift(random(5, 2, 7, 7, 2), -3f);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("max_valid_2", NaiveOps.pool(in, 2, 2, false, true), out);
    check("max_same_3s2", NaiveOps.pool(in, 3, 2, true, true), out);
    check("max_same_2s2", NaiveOps.pool(in, 2, 2, true, true), out);
    check("max_valid_3s1", NaiveOps.pool(in, 3, 1, false, true), out);
    check("avg_valid_2", NaiveOps.pool(in, 2, 2, false, false), out);
    check("avg_valid_3s2", NaiveOps.pool(in, 3, 2, false, false), out);
    check("avg_same_3s2", NaiveOps.pool(in, 3, 2, true, false), out);
    check("avg_same_2s1", NaiveOps.pool(in, 2, 1, true, false), out);
    check("avg_same_3s1", NaiveOps.pool(in, 3, 1, true, false), out);
  }

  @Test
  void globalPoolingWithAndWithoutKeepdims() {
    Tiny t = new Tiny(FixtureBuilder.functional("gpools").input("in", 5, 4, 3)
        .globalAvgPool("gap")
        .from("in").globalMaxPool("gmp")
        .from("in").globalAvgPool("gap_keep")
        .from("in").globalMaxPool("gmp_keep"))
        .edit("gap_keep", c -> c.put("keepdims", true))
        .edit("gmp_keep", c -> c.put("keepdims", true));
    FloatTensor x = shift(random(6, 2, 5, 4, 3), -3f);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("gap", NaiveOps.globalPool(in, false, false), out);
    check("gmp", NaiveOps.globalPool(in, true, false), out);
    check("gap_keep", NaiveOps.globalPool(in, false, true), out);
    check("gmp_keep", NaiveOps.globalPool(in, true, true), out);
  }

  @Test
  void paddingCroppingFlattenAndReshape() {
    Tiny t = new Tiny(FixtureBuilder.functional("shapes").input("in", 5, 6, 2)
        .zeroPadding("pad_pairs", 1, 2, 0, 3)
        .from("in").zeroPadding("pad_int", 1)
        .from("in").zeroPadding("pad_sym", 1)
        .from("in").customLayer("Cropping2D", "crop_pairs", config("{\"cropping\": [[1, 0], [2, 1]]}"))
        .from("in").customLayer("Cropping2D", "crop_int", config("{\"cropping\": 1}"))
        .from("in").customLayer("Cropping2D", "crop_sym", config("{\"cropping\": [2, 1]}"))
        .from("in").flatten("flat")
        .from("in").reshape("reshape_inferred", 3, -1, 4))
        .edit("pad_int", c -> c.put("padding", 2))
        .edit("pad_sym", c -> c.set("padding", JSON.valueToTree(new int[] {1, 2})));
    FloatTensor x = random(7, 2, 5, 6, 2);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("pad_pairs", NaiveOps.zeroPad(in, 1, 2, 0, 3), out);
    check("pad_int", NaiveOps.zeroPad(in, 2, 2, 2, 2), out);
    check("pad_sym", NaiveOps.zeroPad(in, 1, 1, 2, 2), out);
    check("crop_pairs", NaiveOps.crop(in, 1, 0, 2, 1), out);
    check("crop_int", NaiveOps.crop(in, 1, 1, 1, 1), out);
    check("crop_sym", NaiveOps.crop(in, 2, 2, 1, 1), out);
    check("flat", NaiveOps.flatten(in), out);
    // Reshape keeps the row-major (H, W, C) order: the flattened values under a new shape.
    check("reshape_inferred", NaiveOps.flatten(in).reshape(2, 3, 5, 4), out);
  }

  @Test
  void batchNormalizationEpsilonScaleAndCenter() {
    Tiny t = new Tiny(FixtureBuilder.functional("bns").input("in", 4, 4, 3)
        .batchNorm("bn_default")
        .from("in").batchNorm("bn_eps", 0.5)
        .from("in").batchNorm("bn_noscale", 0.01)
        .from("in").batchNorm("bn_nocenter", 0.01)
        .from("in").batchNorm("bn_neither", 0.01))
        .edit("bn_noscale", c -> c.put("scale", false))
        .edit("bn_nocenter", c -> c.put("center", false))
        .edit("bn_neither", c -> c.put("scale", false).put("center", false));
    // Keras stores only the weights a layer creates: gamma, beta, moving_mean, moving_variance.
    t.keepWeights("bn_noscale", 1, 2, 3).keepWeights("bn_nocenter", 0, 2, 3).keepWeights("bn_neither", 2, 3);
    FloatTensor x = random(8, 2, 4, 4, 3);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("bn_default", bn(t, in, "bn_default", true, true, 1e-3), out);
    check("bn_eps", bn(t, in, "bn_eps", true, true, 0.5), out);
    check("bn_noscale", bn(t, in, "bn_noscale", false, true, 0.01), out);
    check("bn_nocenter", bn(t, in, "bn_nocenter", true, false, 0.01), out);
    check("bn_neither", bn(t, in, "bn_neither", false, false, 0.01), out);
  }

  /** The fixture draws all four arrays; which of them the layer keeps is up to scale/center. */
  private static T bn(Tiny t, T in, String layer, boolean scale, boolean center, double eps) {
    List<FloatTensor> all = t.fixtureWeights(layer);
    return NaiveOps.batchNorm(in, scale ? all.get(0) : null, center ? all.get(1) : null, all.get(2), all.get(3), eps);
  }

  static final List<String> ACTIVATIONS = List.of("relu", "relu6", "sigmoid", "softmax", "tanh", "linear", "elu",
      "selu", "softplus", "softsign", "swish", "silu", "exponential", "hard_sigmoid");

  @Test
  void everyActivationFunction() {
    FixtureBuilder b = FixtureBuilder.functional("acts").input("in", 3, 4, 5);
    for (String a : ACTIVATIONS) {
      b.from("in").activation("act_" + a, a);
    }
    Tiny t = new Tiny(b);
    FloatTensor x = scale(random(9, 2, 3, 4, 5), 4f); // [-8, 8]: beyond relu6's cap and hard_sigmoid's clip
    Map<String, FloatTensor> out = t.run(x);
    for (String a : ACTIVATIONS) {
      check("act_" + a, NaiveOps.activation(a, T.of(x)), out);
    }
  }

  @Test
  void reluLeakyReluEluAndSoftmaxLayers() {
    Tiny t = new Tiny(FixtureBuilder.functional("relus").input("in", 4, 4, 3)
        .relu("relu_plain")
        .from("in").relu("relu_6", 6.0, 0.0, 0.0)
        .from("in").relu("relu_cap", 1.5, 0.0, 0.0)
        .from("in").relu("relu_slope", null, 0.2, 0.0)
        .from("in").relu("relu_6_slope", 6.0, 0.1, 0.0)
        .from("in").relu("relu_threshold", null, 0.0, 0.5)
        .from("in").relu("relu_all", 2.0, 0.3, 0.5)
        .from("in").relu("relu_slope_threshold", null, 0.1, 1.0)
        .from("in").leakyRelu("leaky_alpha", 0.2)
        .from("in").customLayer("LeakyReLU", "leaky_default", config("{}"))
        .from("in").customLayer("ELU", "elu_alpha", config("{\"alpha\": 0.7}"))
        .from("in").customLayer("ELU", "elu_default", config("{}"))
        .from("in").customLayer("Softmax", "softmax_layer", config("{\"axis\": -1}")));
    FloatTensor x = scale(random(10, 2, 4, 4, 3), 4f);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("relu_plain", NaiveOps.relu(in, null, 0, 0), out);
    check("relu_6", NaiveOps.relu(in, 6.0, 0, 0), out);
    check("relu_cap", NaiveOps.relu(in, 1.5, 0, 0), out);
    check("relu_slope", NaiveOps.relu(in, null, 0.2, 0), out);
    check("relu_6_slope", NaiveOps.relu(in, 6.0, 0.1, 0), out);
    check("relu_threshold", NaiveOps.relu(in, null, 0, 0.5), out);
    check("relu_all", NaiveOps.relu(in, 2.0, 0.3, 0.5), out);
    check("relu_slope_threshold", NaiveOps.relu(in, null, 0.1, 1.0), out);
    check("leaky_alpha", in.map(v -> v >= 0 ? v : 0.2 * v), out);
    check("leaky_default", in.map(v -> v >= 0 ? v : 0.3 * v), out);
    check("elu_alpha", in.map(v -> v > 0 ? v : 0.7 * Math.expm1(v)), out);
    check("elu_default", in.map(v -> v > 0 ? v : Math.expm1(v)), out);
    check("softmax_layer", NaiveOps.softmax(in), out);
  }

  @Test
  void keras3LeakyReluNegativeSlope() {
    Tiny t = new Tiny(FixtureBuilder.functional("leaky3").dialect(ConfigDialect.KERAS_3).input("in", 3, 3, 2)
        .leakyRelu("leaky", 0.15));
    assertTrue(t.config.toString().contains("\"negative_slope\":0.15"), "the Keras 3 key is negative_slope");
    FloatTensor x = random(11, 1, 3, 3, 2);
    check("leaky", T.of(x).map(v -> v >= 0 ? v : 0.15 * v), t.run(x));
  }

  @Test
  void mergeLayers() {
    Tiny t = new Tiny(FixtureBuilder.functional("merges").input("in", 3, 4, 2)
        .rescaling("a", 0.5, 0.25)
        .from("in").rescaling("b", -1.5, 0.1)
        .from("in").rescaling("c", 2.0, -1.0)
        .add("add2", "a", "b")
        .add("add3", "a", "b", "c")
        .add("sub", "a", "b")
        .add("mul", "a", "b", "c")
        .add("avg", "a", "b", "c")
        .add("max", "a", "b", "c")
        .add("min", "a", "c")
        .concatenate("cat_last", -1, "a", "b", "c")
        .concatenate("cat_h", 1, "a", "b")
        .concatenate("cat_w", 2, "a", "c")
        .concatenate("cat_c", 3, "b", "c"))
        .renameClass("sub", "Subtract").renameClass("mul", "Multiply").renameClass("avg", "Average")
        .renameClass("max", "Maximum").renameClass("min", "Minimum");
    FloatTensor x = random(12, 2, 3, 4, 2);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    T a = NaiveOps.rescale(in, new double[] {0.5}, new double[] {0.25});
    T b = NaiveOps.rescale(in, new double[] {-1.5}, new double[] {0.1});
    T c = NaiveOps.rescale(in, new double[] {2.0}, new double[] {-1.0});
    check("add2", NaiveOps.fold(List.of(a, b), Double::sum), out);
    check("add3", NaiveOps.fold(List.of(a, b, c), Double::sum), out);
    check("sub", NaiveOps.fold(List.of(a, b), (p, q) -> p - q), out);
    check("mul", NaiveOps.fold(List.of(a, b, c), (p, q) -> p * q), out);
    check("avg", NaiveOps.fold(List.of(a, b, c), Double::sum).map(v -> v / 3), out);
    check("max", NaiveOps.fold(List.of(a, b, c), Math::max), out);
    check("min", NaiveOps.fold(List.of(a, c), Math::min), out);
    check("cat_last", NaiveOps.concat(List.of(a, b, c), 3), out);
    check("cat_h", NaiveOps.concat(List.of(a, b), 1), out);
    check("cat_w", NaiveOps.concat(List.of(a, c), 2), out);
    check("cat_c", NaiveOps.concat(List.of(b, c), 3), out);
  }

  @Test
  void rescalingScalarAndPerChannel() {
    Tiny t = new Tiny(FixtureBuilder.functional("rescale").input("in", 2, 3, 3)
        .rescaling("scalar", 1 / 255.0, -0.5)
        .from("in").rescaling("per_channel", 1.0, 0.0))
        .edit("per_channel", c -> {
          c.set("scale", JSON.valueToTree(new double[] {0.5, 2.0, -1.0}));
          c.set("offset", JSON.valueToTree(new double[] {0.1, 0.2, 0.3}));
        });
    FloatTensor x = scale(shift(random(13, 2, 2, 3, 3), 2f), 60f); // [0, 240]
    Map<String, FloatTensor> out = t.run(x);
    check("scalar", NaiveOps.rescale(T.of(x), new double[] {1 / 255.0}, new double[] {-0.5}), out);
    check("per_channel", NaiveOps.rescale(T.of(x), new double[] {0.5, 2.0, -1.0}, new double[] {0.1, 0.2, 0.3}), out);
  }

  @Test
  void conv2dTransposeStridesPaddingsAndOutputPadding() {
    Tiny t = new Tiny(FixtureBuilder.functional("deconvs").input("in", 5, 4, 3)
        .conv2dTranspose("same_s1", 4, 3, 1, "same", null, "linear")         // 5x4
        .from("in").conv2dTranspose("valid_s1", 2, 3, 1, "valid", null, "linear") // 7x6
        .from("in").conv2dTranspose("same_s2", 3, 3, 2, "same", null, "relu")   // 10x8
        .from("in").conv2dTranspose("valid_s2", 2, 3, 2, "valid", null, "linear") // 11x9
        .from("in").conv2dTranspose("same_s2_k4", 2, 4, 2, "same", null, "linear") // 10x8
        .from("in").conv2dTranspose("same_s2_op1", 2, 3, 2, "same", 1, "linear")   // 10x8
        .from("in").conv2dTranspose("valid_s3_op2", 2, 2, 3, "valid", 2, "linear") // 16x13
        .from("in").conv2dTranspose("valid_s2_op0", 2, 3, 2, "valid", 0, "linear")); // 11x9
    FloatTensor x = random(21, 2, 5, 4, 3);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("same_s1", NaiveOps.conv2dTranspose(in, t.w("same_s1", 0), t.w("same_s1", 1), 1, 5, 4, true), out);
    check("valid_s1", NaiveOps.conv2dTranspose(in, t.w("valid_s1", 0), t.w("valid_s1", 1), 1, 7, 6, false), out);
    check("same_s2", NaiveOps.activation("relu",
        NaiveOps.conv2dTranspose(in, t.w("same_s2", 0), t.w("same_s2", 1), 2, 10, 8, true)), out);
    check("valid_s2", NaiveOps.conv2dTranspose(in, t.w("valid_s2", 0), t.w("valid_s2", 1), 2, 11, 9, false), out);
    check("same_s2_k4", NaiveOps.conv2dTranspose(in, t.w("same_s2_k4", 0), t.w("same_s2_k4", 1), 2, 10, 8, true), out);
    check("same_s2_op1", NaiveOps.conv2dTranspose(in, t.w("same_s2_op1", 0), t.w("same_s2_op1", 1), 2, 10, 8, true),
        out);
    check("valid_s3_op2", NaiveOps.conv2dTranspose(in, t.w("valid_s3_op2", 0), t.w("valid_s3_op2", 1), 3, 16, 13,
        false), out);
    check("valid_s2_op0", NaiveOps.conv2dTranspose(in, t.w("valid_s2_op0", 0), t.w("valid_s2_op0", 1), 2, 11, 9,
        false), out);
  }

  @Test
  void upSamplingResizingAndCenterCrop() {
    Tiny t = new Tiny(FixtureBuilder.functional("resample").input("in", 5, 6, 2)
        .upSampling("up_nearest", 2, "nearest")
        .from("in").upSampling("up_bilinear", 3, "bilinear")
        .from("in").resizing("down_bilinear", 3, 4, "bilinear", false)
        .from("in").resizing("up_nearest_odd", 7, 9, "nearest", false)
        .from("in").resizing("crop_bilinear", 4, 4, "bilinear", true)         // crops 5x6 to 5x5 first
        .from("in").centerCrop("center", 3, 4)
        .from("in").centerCrop("center_upsize", 8, 4))                          // smaller input: crop 5x2.5, resize
        .edit("up_bilinear", c -> c.set("size", JSON.valueToTree(new int[] {3, 2})));
    FloatTensor x = random(22, 2, 5, 6, 2);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("up_nearest", NaiveOps.resize(in, 10, 12, false), out);
    check("up_bilinear", NaiveOps.resize(in, 15, 12, true), out);
    check("down_bilinear", NaiveOps.resize(in, 3, 4, true), out);
    check("up_nearest_odd", NaiveOps.resize(in, 7, 9, false), out);
    check("crop_bilinear", NaiveOps.resize(NaiveOps.crop(in, 0, 0, 0, 1), 4, 4, true), out);
    check("center", NaiveOps.crop(in, 1, 1, 1, 1), out);
    // smart_resize to 8x4 (aspect 2): crop height min(5, int(6 * 2)) = 5, width min(6, int(5 / 2)) = 2, left 2
    check("center_upsize", NaiveOps.resize(NaiveOps.crop(in, 0, 0, 2, 2), 8, 4, true), out);
  }

  @Test
  void areaResizingMatchesTensorFlowsResizeArea() {
    Tiny t = new Tiny(FixtureBuilder.functional("area").input("in", 7, 5, 2)
        .resizing("down", 3, 2, "area", false)
        .from("in").resizing("up", 9, 8, "area", false)
        .from("in").resizing("mixed", 4, 6, "area", false));
    FloatTensor x = random(23, 2, 7, 5, 2);
    Map<String, FloatTensor> out = t.run(x);
    for (String layer : List.of("down", "up", "mixed")) {
      long[] size = out.get(layer).shape();
      check(layer, T.of(TfReference.resizeArea(x, (int) size[1], (int) size[2])), out);
    }
  }

  @Test
  void preluThresholdedReluAndPermute() {
    Tiny t = new Tiny(FixtureBuilder.functional("acts").input("in", 3, 4, 2)
        .prelu("prelu_full")
        .from("in").prelu("prelu_shared", 1, 2)
        .from("in").thresholdedRelu("thresholded", 0.5)
        .from("in").permute("permute", 3, 1, 2));
    FloatTensor x = random(24, 2, 3, 4, 2);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    check("prelu_full", NaiveOps.prelu(in, t.w("prelu_full", 0)), out);
    check("prelu_shared", NaiveOps.prelu(in, t.w("prelu_shared", 0)), out);
    check("thresholded", in.map(v -> v > 0.5 ? v : 0), out);
    check("permute", NaiveOps.permute(in, 3, 1, 2), out);
  }

  @Test
  void normalizationFromWeightsFromConfigAndInverted() {
    Tiny t = new Tiny(FixtureBuilder.functional("norm").input("in", 3, 4, 2)
        .normalization("adapted")
        .from("in").normalization("configured")
        .from("in").normalization("inverted"))
        .edit("configured", c -> {
          c.set("mean", JSON.valueToTree(new double[] {0.5, -1.0}));
          c.set("variance", JSON.valueToTree(new double[] {4.0, 0.0})); // 0: Keras divides by epsilon instead
        })
        .edit("inverted", c -> c.put("invert", true))
        .keepWeights("configured");
    FloatTensor x = random(25, 2, 3, 4, 2);
    Map<String, FloatTensor> out = t.run(x);
    T in = T.of(x);
    double[] mean = doubles(t.w("adapted", 0));
    double[] std = Arrays.stream(doubles(t.w("adapted", 1))).map(v -> Math.max(Math.sqrt(v), 1e-7)).toArray();
    check("adapted", indexed(in, i -> (in.v()[i] - mean[i % 2]) / std[i % 2]), out);
    double[] cStd = {2.0, 1e-7};
    double[] cMean = {0.5, -1.0};
    check("configured", indexed(in, i -> (in.v()[i] - cMean[i % 2]) / cStd[i % 2]), out);
    double[] iMean = doubles(t.w("inverted", 0));
    double[] iStd = Arrays.stream(doubles(t.w("inverted", 1))).map(v -> Math.max(Math.sqrt(v), 1e-7)).toArray();
    check("inverted", indexed(in, i -> iMean[i % 2] + in.v()[i] * iStd[i % 2]), out);
  }

  private static double[] doubles(FloatTensor a) {
    double[] d = new double[a.data().length];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.data()[i];
    }
    return d;
  }

  private static T indexed(T like, java.util.function.IntToDoubleFunction f) {
    double[] v = new double[like.v().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = f.applyAsDouble(i);
    }
    return new T(like.shape().clone(), v);
  }

  static final List<String> IDENTITY_AT_INFERENCE = List.of("Dropout", "SpatialDropout2D", "GaussianNoise",
      "GaussianDropout", "AlphaDropout", "ActivityRegularization", "RandomFlip", "RandomRotation", "RandomZoom",
      "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth");

  @Test
  void regularizationAndAugmentationLayersAreIdentityAtInference() {
    FixtureBuilder b = FixtureBuilder.functional("identity").input("in", 3, 3, 2);
    for (String cls : IDENTITY_AT_INFERENCE) {
      b.from("in").customLayer(cls, "id_" + cls, config("{}"));
    }
    Tiny t = new Tiny(b);
    FloatTensor x = random(14, 2, 3, 3, 2);
    Map<String, FloatTensor> out = t.run(x);
    for (String cls : IDENTITY_AT_INFERENCE) {
      FloatTensor got = out.get("id_" + cls);
      assertArrayEquals(x.shape(), got.shape(), cls);
      assertArrayEquals(x.data(), got.data(), cls + " must pass its input through unchanged");
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** A fixture model with config edits and per-layer weight selections, loaded on demand. */
  private static final class Tiny {
    final KerasModelFixture fixture;
    final ObjectNode config;
    private final Map<String, List<FloatTensor>> weights = new HashMap<>();

    Tiny(FixtureBuilder builder) {
      fixture = builder.build();
      config = fixture.modelConfig();
      fixture.allWeights().forEach((path, list) ->
          weights.put(String.join("/", path), list.stream().map(WeightArray::value).toList()));
    }

    /** Edits the {@code config} object of one layer. */
    Tiny edit(String layer, Consumer<ObjectNode> change) {
      change.accept((ObjectNode) entry(layer).get("config"));
      return this;
    }

    /** Turns e.g. an Add into a Subtract: the merge layers share the config and wiring. */
    Tiny renameClass(String layer, String className) {
      entry(layer).put("class_name", className);
      return this;
    }

    /** Keeps only the fixture weights at these indices for a layer. */
    Tiny keepWeights(String layer, int... indices) {
      List<FloatTensor> kept = new ArrayList<>();
      for (int i : indices) {
        kept.add(fixtureWeights(layer).get(i));
      }
      weights.put(layer, kept);
      return this;
    }

    List<FloatTensor> fixtureWeights(String layer) {
      return fixture.weights(List.of(layer)).stream().map(WeightArray::value).toList();
    }

    /** The i-th weight the model is loaded with. */
    FloatTensor w(String layer, int i) {
      return weights.get(layer).get(i);
    }

    private ObjectNode entry(String layer) {
      for (var e : config.path("config").path("layers")) {
        if (e.path("config").path("name").asText().equals(layer)) {
          return (ObjectNode) e;
        }
      }
      throw new IllegalArgumentException("no layer " + layer + " in " + config);
    }

    /** Loads the model and returns every layer's output for {@code x}, by name. */
    Map<String, FloatTensor> run(FloatTensor x) {
      WeightSource source = (path, cls, expected) -> {
        List<FloatTensor> w = weights.getOrDefault(String.join("/", path), List.of());
        List<WeightArray> out = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
          out.add(new WeightArray(expected.size() > i ? expected.get(i).name() : "w" + i, w.get(i)));
        }
        return out;
      };
      try (KerasModel m = KerasModel.fromConfig(config.toString(), source, LoadOptions.defaults())) {
        List<String> names = m.layers().stream().map(l -> l.path()).toList();
        return new LinkedHashMap<>(m.activations(x, names));
      }
    }
  }

  private static ObjectNode config(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** Uniform values in [-2, 2). */
  static FloatTensor random(long seed, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    Random r = new Random(seed);
    float[] data = new float[(int) n];
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat() * 4f - 2f;
    }
    return new FloatTensor(shape, data);
  }

  private static FloatTensor shift(FloatTensor a, float by) {
    float[] d = a.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] += by;
    }
    return new FloatTensor(a.shape(), d);
  }

  private static FloatTensor scale(FloatTensor a, float by) {
    float[] d = a.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] *= by;
    }
    return new FloatTensor(a.shape(), d);
  }

  /** Same shape, and every value within 1e-5 of the expected output's largest magnitude. */
  private static void check(String layer, T expected, Map<String, FloatTensor> outputs) {
    FloatTensor got = outputs.get(layer);
    assertTrue(got != null, "no output for layer " + layer);
    assertArrayEquals(expected.shape(), got.shape(), layer + ": output shape");
    double absMax = 0;
    for (double v : expected.v()) {
      absMax = Math.max(absMax, Math.abs(v));
    }
    double tolerance = TOLERANCE * Math.max(absMax, Double.MIN_NORMAL);
    for (int i = 0; i < expected.v().length; i++) {
      double diff = Math.abs(expected.v()[i] - got.data()[i]);
      if (!(diff <= tolerance)) {
        throw new AssertionError(layer + ": value " + i + " is " + got.data()[i] + ", expected " + expected.v()[i]
            + " (|diff| " + diff + " > " + tolerance + ")");
      }
    }
  }
}
