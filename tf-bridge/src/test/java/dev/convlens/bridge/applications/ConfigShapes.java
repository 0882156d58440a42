package dev.convlens.bridge.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test oracle: reads a Functional config the way Keras would build it and derives each layer's
 * output shape and weight shapes (Keras declaration order) from the layer configs alone, with the
 * textbook formulas: conv {@code kh*kw*cin*cout (+cout)}, dense {@code in*out (+out)}, 'same'
 * output {@code ceil(in/s)}, 'valid' output {@code floor((in-k)/s)+1}. Independent of the builders.
 */
final class ConfigShapes {
  record Layer(String name, String className, long[] outputShape, List<long[]> weightShapes) {
    long parameters() {
      long n = 0;
      for (long[] w : weightShapes) {
        n += Arrays.stream(w).reduce(1, (a, b) -> a * b);
      }
      return n;
    }
  }

  private ConfigShapes() {}

  /** Every layer in config order, keyed by name. */
  static Map<String, Layer> of(JsonNode model) {
    Map<String, Layer> out = new LinkedHashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    for (JsonNode lj : model.get("config").get("layers")) {
      String cls = lj.get("class_name").asText();
      JsonNode c = lj.get("config");
      String name = c.get("name").asText();
      assertEquals(name, lj.get("name").asText(), "layer name vs config name");
      long[] in = null;
      if (!cls.equals("InputLayer")) {
        JsonNode nodes = lj.get("inbound_nodes");
        assertEquals(1, nodes.size(), name + ": one call");
        assertEquals(1, nodes.get(0).size(), name + ": one input");
        in = shapes.get(nodes.get(0).get(0).get(0).asText());
        assertTrue(in != null, name + ": input layer defined before use");
      }
      List<long[]> weights = new ArrayList<>();
      long[] shape = switch (cls) {
        case "InputLayer" -> {
          JsonNode b = c.get("batch_input_shape");
          assertTrue(b.get(0).isNull(), "batch dimension is unknown");
          yield new long[] {b.get(1).asLong(), b.get(2).asLong(), b.get(3).asLong()};
        }
        case "Conv2D" -> {
          long filters = c.get("filters").asLong();
          weights.add(new long[] {kernel(c, 0), kernel(c, 1), in[2], filters});
          if (c.get("use_bias").asBoolean()) {
            weights.add(new long[] {filters});
          }
          yield new long[] {spatial(c, in, 0), spatial(c, in, 1), filters};
        }
        case "DepthwiseConv2D" -> {
          long m = c.get("depth_multiplier").asLong();
          weights.add(new long[] {kernel(c, 0), kernel(c, 1), in[2], m});
          if (c.get("use_bias").asBoolean()) {
            weights.add(new long[] {in[2] * m});
          }
          yield new long[] {spatial(c, in, 0), spatial(c, in, 1), in[2] * m};
        }
        case "BatchNormalization" -> {
          if (c.get("scale").asBoolean()) {
            weights.add(new long[] {in[2]});
          }
          if (c.get("center").asBoolean()) {
            weights.add(new long[] {in[2]});
          }
          weights.add(new long[] {in[2]});
          weights.add(new long[] {in[2]});
          yield in;
        }
        case "MaxPooling2D" -> {
          assertEquals("valid", c.get("padding").asText());
          long p0 = c.get("pool_size").get(0).asLong();
          long p1 = c.get("pool_size").get(1).asLong();
          long s0 = c.get("strides").get(0).asLong();
          long s1 = c.get("strides").get(1).asLong();
          yield new long[] {(in[0] - p0) / s0 + 1, (in[1] - p1) / s1 + 1, in[2]};
        }
        case "Activation", "Dropout" -> in;
        case "Flatten" -> new long[] {Arrays.stream(in).reduce(1, (a, b) -> a * b)};
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D" -> new long[] {in[2]};
        case "Dense" -> {
          assertEquals(1, in.length, name + ": Dense on a vector");
          long units = c.get("units").asLong();
          weights.add(new long[] {in[0], units});
          weights.add(new long[] {units});
          yield new long[] {units};
        }
        case "Reshape" -> {
          long[] target = new long[c.get("target_shape").size()];
          for (int i = 0; i < target.length; i++) {
            target[i] = c.get("target_shape").get(i).asLong();
          }
          assertEquals(Arrays.stream(in).reduce(1, (a, b) -> a * b), Arrays.stream(target).reduce(1, (a, b) -> a * b),
              name + ": reshape keeps the element count");
          yield target;
        }
        default -> fail("unexpected layer class " + cls);
      };
      for (long d : shape) {
        assertTrue(d > 0, name + ": positive output dimensions, got " + Arrays.toString(shape));
      }
      shapes.put(name, shape);
      out.put(name, new Layer(name, cls, shape, List.copyOf(weights)));
    }
    return out;
  }

  static long parameters(JsonNode model) {
    return of(model).values().stream().mapToLong(Layer::parameters).sum();
  }

  private static long kernel(JsonNode c, int axis) {
    return c.get("kernel_size").get(axis).asLong();
  }

  private static long spatial(JsonNode c, long[] in, int axis) {
    long k = kernel(c, axis);
    long s = c.get("strides").get(axis).asLong();
    assertEquals(1, c.get("dilation_rate").get(axis).asLong());
    return switch (c.get("padding").asText()) {
      case "same" -> (in[axis] + s - 1) / s;
      case "valid" -> (in[axis] - k) / s + 1;
      default -> fail("padding " + c.get("padding"));
    };
  }
}
