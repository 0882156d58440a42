package dev.convlens.bridge.io;

import dev.convlens.bridge.ModelFormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header dict of an {@code .npy} file, e.g. {@code {'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }}, parsed strictly: a Python dict literal with exactly these three keys, string,
 * boolean and tuple-of-ints values, and only padding after it (what {@code numpy.load} accepts
 * from its own writer, without evaluating anything).
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {
  /** numpy 2 allows 64 dimensions. */
  static final int MAX_DIMS = 64;

  static NpyHeader parse(Path file, String text) {
    return new Parser(file, text).header();
  }

  private static final class Parser {
    private final Path file;
    private final String text;
    private int at;
    private boolean closed;

    Parser(Path file, String text) {
      this.file = file;
      this.text = text;
    }

    NpyHeader header() {
      skipSpace();
      expect('{', "a dict starting with '{'");
      Map<String, Object> entries = new LinkedHashMap<>();
      skipSpace();
      while (peek() != '}') {
        String key = string("a quoted key");
        skipSpace();
        expect(':', "':' after key '" + key + "'");
        skipSpace();
        Object value = value(key);
        if (entries.put(key, value) != null) {
          throw corrupt("key '" + key + "' appears twice");
        }
        skipSpace();
        if (peek() == ',') {
          at++;
          skipSpace();
        } else if (peek() != '}') {
          throw corrupt("expected ',' or '}' after the value of '" + key + "'");
        }
      }
      at++;
      closed = true;
      skipSpace();
      if (at < text.length()) {
        throw corrupt("unexpected text after the dict at header byte " + at);
      }
      for (String k : entries.keySet()) {
        if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
          throw corrupt("unexpected key '" + k + "' (numpy writes exactly 'descr', 'fortran_order' and 'shape')");
        }
      }
      String descr = (String) required(entries, "descr");
      boolean fortran = (Boolean) required(entries, "fortran_order");
      long[] shape = (long[]) required(entries, "shape");
      return new NpyHeader(descr, fortran, shape);
    }

    private Object value(String key) {
      switch (key) {
        case "descr" -> {
          if (peek() == '[' || peek() == '{') {
            throw new ModelFormatException(file, "unsupported .npy dtype: a structured dtype ("
                + abbreviate(text) + "); only plain numeric arrays are read");
          }
          return string("a dtype string such as '<f4' for 'descr'");
        }
        case "fortran_order" -> {
          if (text.startsWith("True", at)) {
            at += 4;
            return true;
          }
          if (text.startsWith("False", at)) {
            at += 5;
            return false;
          }
          throw corrupt("'fortran_order' should be True or False");
        }
        case "shape" -> {
          return tuple();
        }
        default -> throw corrupt("unexpected key '" + key
            + "' (numpy writes exactly 'descr', 'fortran_order' and 'shape')");
      }
    }

    private long[] tuple() {
      expect('(', "a tuple such as (2, 3) for 'shape'");
      long[] dims = new long[MAX_DIMS];
      int rank = 0;
      skipSpace();
      while (peek() != ')') {
        if (rank == MAX_DIMS) {
          throw corrupt("'shape' has more than " + MAX_DIMS + " dimensions");
        }
        dims[rank++] = integer();
        skipSpace();
        if (peek() == ',') {
          at++;
          skipSpace();
        } else if (peek() != ')') {
          throw corrupt("expected ',' or ')' in 'shape'");
        }
      }
      at++;
      return Arrays.copyOf(dims, rank);
    }

    private long integer() {
      int start = at;
      while (at < text.length() && Character.isDigit(text.charAt(at)) && text.charAt(at) < 128) {
        at++;
      }
      if (start == at) {
        throw corrupt("'shape' should hold non-negative integers");
      }
      long v;
      try {
        v = Long.parseLong(text.substring(start, at));
      } catch (NumberFormatException e) {
        throw corrupt("dimension " + text.substring(start, at) + " in 'shape' is too large");
      }
      if (at < text.length() && text.charAt(at) == 'L') {
        at++; // Python 2 long literal
      }
      return v;
    }

    private String string(String what) {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw corrupt("expected " + what);
      }
      int end = text.indexOf(quote, at + 1);
      if (end < 0) {
        at = text.length();
        throw corrupt("unterminated string");
      }
      String s = text.substring(at + 1, end);
      if (s.indexOf('\\') >= 0 || s.indexOf('\n') >= 0) {
        throw corrupt("unexpected escape or line break in string '" + s + "'");
      }
      at = end + 1;
      return s;
    }

    private Object required(Map<String, Object> entries, String key) {
      Object v = entries.get(key);
      if (v == null) {
        throw corrupt("key '" + key + "' is missing");
      }
      return v;
    }

    private void expect(char c, String what) {
      if (peek() != c) {
        throw corrupt("expected " + what);
      }
      at++;
    }

    /** The next character, or 0 at the end of the header (which no valid header reaches here). */
    private char peek() {
      return at < text.length() ? text.charAt(at) : 0;
    }

    private void skipSpace() {
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\n' || text.charAt(at) == '\t'
          || text.charAt(at) == '\r')) {
        at++;
      }
    }

    private ModelFormatException corrupt(String why) {
      String where = !closed && at >= text.length()
          ? "; the header ends (after its declared " + text.length() + " bytes) before the dict does"
          : "";
      return new ModelFormatException(file, "corrupt .npy header: " + why + where + ": " + abbreviate(text));
    }
  }

  /** The header text for a message: at most 200 characters, control characters shown as '?'. */
  static String abbreviate(String s) {
    String t = s.strip();
    t = t.length() > 200 ? t.substring(0, 200) + "..." : t;
    StringBuilder b = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      b.append(c < 32 || c == 127 ? '?' : c);
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyHeader h && descr.equals(h.descr) && fortranOrder == h.fortranOrder
        && Arrays.equals(shape, h.shape);
  }

  @Override
  public int hashCode() {
    return 31 * descr.hashCode() + Arrays.hashCode(shape) + (fortranOrder ? 1 : 0);
  }

  @Override
  public String toString() {
    return "NpyHeader[" + descr + ", fortran_order=" + fortranOrder + ", shape=" + Arrays.toString(shape) + "]";
  }
}
