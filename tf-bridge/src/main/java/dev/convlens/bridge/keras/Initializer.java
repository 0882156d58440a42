package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A Keras weight initializer as a layer's config names it ({@code "kernel_initializer":
 * {"class_name": "GlorotUniform", "config": {"seed": null}}} in Keras 2, or a plain string in old
 * files), normalised to the few families Keras implements them with: the Glorot, He and LeCun
 * initializers are variance scaling with fixed arguments, as in {@code keras/initializers}.
 *
 * @param kind {@code zeros}, {@code ones}, {@code constant}, {@code variance_scaling},
 *     {@code random_normal}, {@code random_uniform}, {@code truncated_normal} or {@code orthogonal}
 * @param scale variance scaling's scale, or the constant's value
 * @param mode {@code fan_in}, {@code fan_out} or {@code fan_avg} (variance scaling)
 * @param distribution {@code uniform}, {@code truncated_normal} or {@code untruncated_normal} (variance scaling)
 * @param mean mean of the normal ones, {@code minval} of random_uniform
 * @param stddev stddev of the normal ones, {@code maxval} of random_uniform
 */
public record Initializer(String kind, double scale, @Nullable String mode, @Nullable String distribution, double mean, double stddev) {
  public static final Initializer ZEROS = simple("zeros");
  public static final Initializer ONES = simple("ones");
  public static final Initializer GLOROT_UNIFORM = varianceScaling(1, "fan_avg", "uniform");

  private static Initializer simple(String kind) {
    return new Initializer(kind, 0, null, null, 0, 0);
  }

  private static Initializer varianceScaling(double scale, String mode, String distribution) {
    return new Initializer("variance_scaling", scale, mode, distribution, 0, 0);
  }

  /** The initializer a config value names; {@code fallback} when the key is absent or null. */
  public static Initializer fromConfig(@Nullable JsonNode value, Initializer fallback) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return fallback;
    }
    String name = value.isTextual() ? value.asText() : value.path("class_name").asText();
    JsonNode c = value.path("config");
    String snake = name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    return switch (snake) {
      case "zeros", "zero" -> ZEROS;
      case "ones", "one" -> ONES;
      case "constant" -> new Initializer("constant", c.path("value").asDouble(0), null, null, 0, 0);
      case "glorot_uniform" -> GLOROT_UNIFORM;
      case "glorot_normal" -> varianceScaling(1, "fan_avg", "truncated_normal");
      case "he_uniform" -> varianceScaling(2, "fan_in", "uniform");
      case "he_normal" -> varianceScaling(2, "fan_in", "truncated_normal");
      case "lecun_uniform" -> varianceScaling(1, "fan_in", "uniform");
      case "lecun_normal" -> varianceScaling(1, "fan_in", "truncated_normal");
      case "variance_scaling" -> varianceScaling(c.path("scale").asDouble(1), c.path("mode").asText("fan_in"),
          distribution(c.path("distribution").asText("truncated_normal")));
      case "random_normal" -> new Initializer("random_normal", 0, null, null, c.path("mean").asDouble(0),
          c.path("stddev").asDouble(0.05));
      case "truncated_normal" -> new Initializer("truncated_normal", 0, null, null, c.path("mean").asDouble(0),
          c.path("stddev").asDouble(0.05));
      case "random_uniform" -> new Initializer("random_uniform", 0, null, null, c.path("minval").asDouble(-0.05),
          c.path("maxval").asDouble(0.05));
      default -> new Initializer(snake, 0, null, null, 0, 0);
    };
  }

  /** Keras 2 still accepts the TF1 name {@code normal} for a truncated normal. */
  private static String distribution(String d) {
    return d.equals("normal") ? "truncated_normal" : d;
  }
}
