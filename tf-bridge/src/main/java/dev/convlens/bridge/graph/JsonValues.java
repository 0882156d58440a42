package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * Exact reads of JSON config values, without Jackson's lenient conversions: {@code asInt()} turns
 * {@code "32"} into 32, {@code 2**31} into -2147483648 and {@code 3.5} into 3, and a file must not
 * be able to pick a value that way. Each read returns null when the value is not of the type.
 */
final class JsonValues {
  /** Longest part of a config value quoted in an error message (a hostile file may hold megabytes). */
  private static final int SHOWN = 60;

  private JsonValues() {}

  /** A JSON number with an exactly integral value in int range (3 and 3.0, not 3.5, "3" or 2**31). */
  static @Nullable Integer exactInt(@Nullable JsonNode v) {
    if (v == null || !v.isNumber() || !v.canConvertToExactIntegral()) {
      return null;
    }
    return v.canConvertToInt() ? v.intValue() : null;
  }

  /** A finite JSON number (not a string, not NaN or an infinity). */
  static @Nullable Double finite(@Nullable JsonNode v) {
    if (v == null || !v.isNumber()) {
      return null;
    }
    double d = v.doubleValue();
    return Double.isFinite(d) ? d : null;
  }

  /** A config value as the message shows it: its JSON text, cut short. */
  static String show(@Nullable JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "missing";
    }
    String s = v.toString();
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...(" + s.length() + " chars)";
  }

  /** A string from the file as the message shows it, cut short. */
  static String show(String s) {
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...(" + s.length() + " chars)";
  }
}
