package dev.convlens.server;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.cam.AttributionMethod;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/** Reading a request: the image body within its size limit, and the query parameters, each checked with a 4xx that says what was expected. */
final class Requests {
  private Requests() {}

  /**
   * The body, at most {@code max} bytes: a declared larger length is refused without keeping any
   * of it, a chunked one once {@code max + 1} bytes have arrived (so the heap holds at most that).
   */
  static byte[] image(Context ctx, long max) {
    String type = ctx.contentType();
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      throw new ApiException(415, "send the image file itself as the request body (curl --data-binary @cat.jpg), "
          + "not a multipart form");
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      drain(ctx, max);
      throw tooLarge(declared + " bytes", max);
    }
    byte[] body;
    try {
      body = ctx.req().getInputStream().readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
    } catch (IOException e) {
      throw new ApiException(400, "could not read the request body: " + e.getMessage());
    }
    if (body.length > max) {
      drain(ctx, max);
      throw tooLarge("more than " + max + " bytes", max);
    }
    if (body.length == 0) {
      throw ApiException.badRequest("empty request body: send the image (PNG, JPEG, GIF or BMP) as the body");
    }
    return body;
  }

  /**
   * Reads and drops what the client is still sending, up to {@code 4 * max} bytes, so that a
   * client that sends its whole body before reading the answer gets the 413 rather than a reset
   * connection; past that the connection is closed after the answer.
   */
  private static void drain(Context ctx, long max) {
    ctx.header("Connection", "close");
    try {
      InputStream in = ctx.req().getInputStream();
      byte[] sink = new byte[16384];
      long left = 4 * max;
      for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) {
        left -= n;
      }
    } catch (IOException e) {
      // the client gave up: the 413 goes out if it can
    }
  }

  private static ApiException tooLarge(String size, long max) {
    return new ApiException(413, "request body of " + size + " is larger than the limit of " + max + " bytes");
  }

  /** An integer parameter in {@code [min, max]}, or {@code fallback} when absent. */
  static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest("query parameter '" + name + "' must be an integer in " + min + ".." + max + ", got '"
        + v + "'");
  }

  /** A parameter that must be one of {@code allowed} (case-insensitive), or {@code fallback} when absent. */
  static String choice(Context ctx, String name, String fallback, List<String> allowed) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v.trim())) {
        return a;
      }
    }
    throw ApiException.badRequest("unknown " + name + " '" + v + "'; expected one of " + String.join(", ", allowed));
  }

  /** The {@code method} parameter: a name the model offers, or an alias of one ({@code gradcam-logit}). */
  static AttributionMethod method(Context ctx, String fallback, List<String> offered) {
    String v = ctx.queryParam("method");
    String name = v == null || v.isBlank() ? fallback : v.trim();
    try {
      AttributionMethod m = AttributionMethod.parse(name);
      if (offered.contains(m.cliName())) {
        return m;
      }
    } catch (InvalidInputException unknown) {
      // answered below, with the model's own list
    }
    throw ApiException.badRequest("unknown method '" + name + "'; expected one of " + String.join(", ", offered));
  }

  /**
   * The class to explain: an index, or a class name (exact first, then ignoring case); -1 (the
   * top class) when absent.
   */
  static int classIndex(Context ctx, List<String> classes) {
    String v = ctx.queryParam("class");
    if (v == null || v.isEmpty()) {
      return -1;
    }
    String s = v.trim();
    if (s.chars().allMatch(Character::isDigit) && s.length() < 10) {
      int i = Integer.parseInt(s);
      if (i < classes.size()) {
        return i;
      }
      throw ApiException.badRequest("class index " + i + " is out of range: the model has " + classes.size()
          + " classes, 0.." + (classes.size() - 1));
    }
    int exact = classes.indexOf(s);
    if (exact >= 0) {
      return exact;
    }
    for (int i = 0; i < classes.size(); i++) {
      if (classes.get(i).equalsIgnoreCase(s)) {
        return i;
      }
    }
    throw ApiException.badRequest("unknown class '" + v + "'; the model's classes: " + sample(classes));
  }

  /** At most 10 names, then how many more: a 1000-class model's list would drown the message. */
  static String sample(List<String> names) {
    if (names.size() <= 10) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, 10)) + " ... (" + names.size() + " in all, GET /v1/models lists them)";
  }
}
