package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.bridge.io.Npy;
import dev.convlens.bridge.spi.ModelVariable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Every model in ../shared/data/models, listed with the outcome we promise for it: it loads and
 * runs a forward pass with finite outputs of the expected shape, or it fails with a typed
 * exception whose message names the file (and, for unsupported layers, the layer class).
 */
class SharedModelsTest {
  private static final String WEIGHTS_ONLY = "holds no architecture";
  private static final String ARCHITECTURE_ONLY = "architecture only";
  private static final String UNSUPPORTED = "unsupported Keras layer class";

  /** One file (or SavedModel directory) and what loading it must do. */
  private record Case(String path, String weights, long[] outputShape, Class<? extends ModelFormatException> error,
      List<String> message) {
    static Case loads(String path, long... outputShape) {
      return new Case(path, null, outputShape, null, List.of());
    }

    static Case loadsWith(String path, String weights, long... outputShape) {
      return new Case(path, weights, outputShape, null, List.of());
    }

    static Case fails(String path, Class<? extends ModelFormatException> error, String... message) {
      return new Case(path, null, null, error, List.of(message));
    }

    String label() {
      return path + (weights == null ? "" : " + " + weights) + (error == null ? " loads" : " fails: " + message);
    }
  }

  private static final List<Case> CASES = List.of(
      Case.fails("keras-applications/mobilenet_2_5_128_tf.h5", ModelFormatException.class, WEIGHTS_ONLY),
      Case.fails("keras-applications/vgg16_config_tfkeras_2.2.4.json", ModelFormatException.class, ARCHITECTURE_ONLY,
          "withWeights", "block1_conv1"),
      Case.loads("keras-h5/bwdGitHub_cats_and_dogs_small_1.h5", 1),
      // MTCNN's P-Net: PReLU, open input size (32x32 here: 30, pooled 15, 13, 11), two outputs (the first checked).
      Case.loads("keras-h5/dl4j/12net.h5", 11, 11, 2),
      Case.loads("keras-h5/dl4j/batch_to_conv2d_tensorflow_2.h5", 5, 5, 5),
      Case.loads("keras-h5/dl4j/conv2d_reshape_tensorflow_2.h5", 12),
      Case.loads("keras-h5/dl4j/conv2d_tensorflow_2.h5", 3, 3, 6),
      Case.loads("keras-h5/dl4j/flatten_3d.hdf5", 10),
      Case.loads("keras-h5/dl4j/fullconfigs_cnn/cnn_batch_norm.h5", 1),
      Case.fails("keras-h5/dl4j/keras-attention.h5", UnsupportedLayerException.class, UNSUPPORTED, "'Attention'"),
      // Keras 1 configs use other argument names; a clear refusal is the promise, not support.
      Case.fails("keras-h5/dl4j/legacy/conv2d_tensorflow_1.h5", ModelFormatException.class, "Keras 1.2.2",
          "not supported"),
      Case.fails("keras-h5/dl4j/legacy/conv2d_theano_2.h5", ModelFormatException.class, "theano"),
      Case.fails("keras-h5/dl4j/model_lambda.h5", UnsupportedLayerException.class, UNSUPPORTED, "'Lambda'"),
      Case.loads("keras-h5/dl4j/sepconv2d_tensorflow_2.h5", 1, 2, 6),
      Case.fails("keras-h5/dl4j/simpleconv2d.hdf5", UnsupportedLayerException.class, "'Conv2D'", "channels_first"),
      Case.fails("keras-h5/dl4j/simpleconv2d_model.hdf5", UnsupportedLayerException.class, "'Conv2D'",
          "channels_first"),
      Case.loads("keras-h5/dl4j/tfkeras_cnn2d_101.h5", 3),
      Case.loads("keras-h5/dl4j/tfkeras_cnn2d_113.h5", 4),
      Case.loads("keras-h5/dl4j/wgan_discriminator.h5", 2048),
      Case.loads("keras-h5/fer2013_mini_XCEPTION.102-0.66.hdf5", 7),
      Case.loads("keras-v3/convnet_from_scratch_with_augmentation.keras", 1),
      Case.fails("weights-plus-json/batchnorm/modelConfig.json", ModelFormatException.class, ARCHITECTURE_ONLY),
      Case.fails("weights-plus-json/batchnorm/weights.h5", ModelFormatException.class, WEIGHTS_ONLY),
      Case.loadsWith("weights-plus-json/batchnorm/modelConfig.json", "weights-plus-json/batchnorm/weights.h5", 10),
      Case.fails("weights-plus-json/lenet/modelConfig.json", ModelFormatException.class, ARCHITECTURE_ONLY),
      Case.fails("weights-plus-json/lenet/mnist_weights_only.h5", ModelFormatException.class, WEIGHTS_ONLY),
      Case.loadsWith("weights-plus-json/lenet/modelConfig.json", "weights-plus-json/lenet/mnist_weights_only.h5", 10),
      Case.fails("weights-plus-json/toyresnet/modelConfig.json", ModelFormatException.class, ARCHITECTURE_ONLY),
      Case.fails("weights-plus-json/toyresnet/weights.h5", ModelFormatException.class, WEIGHTS_ONLY),
      Case.loadsWith("weights-plus-json/toyresnet/modelConfig.json", "weights-plus-json/toyresnet/weights.h5", 10),
      Case.loads("savedmodel/beatrix_cnn_50x50_gray", 5),
      Case.fails("savedmodel/tfjava_saved_model_using_python", ModelFormatException.class,
          "TensorFlow SavedModel without Keras metadata", "keras_metadata.pb", "nothing to predict with"),
      Case.fails("savedmodel/tfnet_python_func_model", UnsupportedLayerException.class, UNSUPPORTED, "'Transformer'"),
      Case.loads("savedmodel/tfnet_simple_model_from_auto_compile", 10));

  @TestFactory
  Stream<DynamicTest> everySharedModelLoadsOrFailsClearly() {
    Path models = SharedData.require("models");
    return CASES.stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> check(models, c)));
  }

  /** A model file added to the shared data must get an expected outcome here. */
  @Test
  void everySharedModelFileIsListed() throws IOException {
    Path models = SharedData.require("models");
    Set<String> listed = new TreeSet<>();
    for (Case c : CASES) {
      listed.add(c.path());
      if (c.weights() != null) {
        listed.add(c.weights());
      }
    }
    Set<String> found = new TreeSet<>();
    try (Stream<Path> all = Files.walk(models)) {
      all.filter(Files::isRegularFile).forEach(f -> {
        String rel = models.relativize(f).toString().replace('\\', '/');
        if (rel.startsWith("savedmodel/")) {
          found.add(String.join("/", Arrays.copyOf(rel.split("/"), 2)));  // the SavedModel directory is the unit
        } else if (!rel.endsWith(".npy")) {  // expected values beside a model, not models
          found.add(rel);
        }
      });
    }
    assertEquals(found, listed);
  }

  private static void check(Path models, Case c) {
    Path file = models.resolve(c.path());
    LoadOptions options = c.weights() == null ? LoadOptions.defaults()
        : LoadOptions.defaults().withWeights(models.resolve(c.weights()));
    if (c.error() != null) {
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModel.load(file, options).close());
      assertEquals(c.error(), e.getClass(), "exception type; message: " + e.getMessage());
      assertEquals(file, e.source(), "the exception's source");
      assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
      for (String part : c.message()) {
        assertTrue(e.getMessage().contains(part), "message mentions " + part + ": " + e.getMessage());
      }
      if (e instanceof UnsupportedLayerException u) {
        assertTrue(c.message().contains("'" + u.layerClass() + "'"), "layerClass() is " + u.layerClass());
      }
      return;
    }
    try (KerasModel m = KerasModel.load(file, options)) {
      FloatTensor input = TestArrays.random(m.inputShape(), 2, 32, 42);
      Map<String, FloatTensor> outputs = m.predict(Map.of(m.inputNames().get(0), input));
      outputs.forEach((name, o) -> TestArrays.assertAllFinite(o, c.path() + " output " + name));
      FloatTensor out = outputs.get(m.outputNames().get(0));
      long[] expected = new long[c.outputShape().length + 1];
      expected[0] = 2;
      System.arraycopy(c.outputShape(), 0, expected, 1, c.outputShape().length);
      assertArrayEquals(expected, out.shape(), "output shape");
      TestArrays.assertAllFinite(out, c.path());
      m.predict(Map.of(m.inputNames().get(0), new FloatTensor(input.shape(), new float[input.data().length])))
          .forEach((name, o) -> TestArrays.assertAllFinite(o, c.path() + " output " + name + " on zeros"));
    }
  }

  /**
   * kernel1.npy and bias0.npy (from TF.NET's tests) are the 3rd and 2nd trainable weights:
   * trainable weights in model order are dense.kernel, dense.bias, dense_1.kernel, dense_1.bias.
   * After loading, the graph's variables must hold exactly those values, and a prediction must be
   * softmax(relu(x W0 + b0) W1 + b1) computed by hand from the restored variables.
   */
  @Test
  void tfnetSavedModelRestoresItsTrainedWeightsIntoTheGraph() {
    Path dir = SharedData.require("models/savedmodel/tfnet_simple_model_from_auto_compile");
    try (KerasModel m = KerasModel.load(dir)) {
      Map<String, FloatTensor> values = variableValues(m);
      assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"), List.copyOf(values.keySet()));
      assertEquals(Npy.read(dir.resolve("bias0.npy")), values.get("dense/bias"));
      assertEquals(Npy.read(dir.resolve("kernel1.npy")), values.get("dense_1/kernel"));

      FloatTensor x = TestArrays.random(new long[] {1, 28, 28, 1}, 5);
      float[] expected = denseReluDenseSoftmax(x.data(), values.get("dense/kernel"), values.get("dense/bias"),
          values.get("dense_1/kernel"), values.get("dense_1/bias"));
      FloatTensor out = m.predict(x);
      assertArrayEquals(new long[] {1, 10}, out.shape());
      for (int i = 0; i < 10; i++) {
        assertEquals(expected[i], out.data()[i], 1e-5, "probability " + i);
      }
    }
  }

  private static Map<String, FloatTensor> variableValues(KerasModel m) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    m.graph().readVariables(m.graph().variables())
        .forEach((v, value) -> out.put(v.layer() + "/" + v.spec().name(), value));
    return out;
  }

  private static float[] denseReluDenseSoftmax(float[] x, FloatTensor w0, FloatTensor b0, FloatTensor w1, FloatTensor b1) {
    int in = (int) w0.dim(0);
    int hidden = (int) w0.dim(1);
    int classes = (int) w1.dim(1);
    double[] h = new double[hidden];
    for (int j = 0; j < hidden; j++) {
      double s = b0.data()[j];
      for (int i = 0; i < in; i++) {
        s += (double) x[i] * w0.data()[i * hidden + j];
      }
      h[j] = Math.max(0, s);
    }
    double[] z = new double[classes];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < classes; k++) {
      double s = b1.data()[k];
      for (int j = 0; j < hidden; j++) {
        s += h[j] * w1.data()[j * classes + k];
      }
      z[k] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      z[k] = Math.exp(z[k] - max);
      sum += z[k];
    }
    float[] p = new float[classes];
    for (int k = 0; k < classes; k++) {
      p[k] = (float) (z[k] / sum);
    }
    return p;
  }
}
