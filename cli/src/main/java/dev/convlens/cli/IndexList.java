package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/** Index lists given on the command line: {@code --filters 0-63}, {@code --channels 0,3,10-12}. */
final class IndexList {
  private IndexList() {}

  /** "0-15,20": ranges are inclusive, in the order given; {@code option} names the option in errors. */
  static List<Integer> parse(String option, String text) {
    List<Integer> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-', 1);
        if (dash < 0) {
          out.add(Integer.parseInt(p));
        } else {
          int from = Integer.parseInt(p.substring(0, dash).trim());
          int to = Integer.parseInt(p.substring(dash + 1).trim());
          if (to < from) {
            throw new InvalidInputException(option + " range '" + p + "' runs backwards");
          }
          for (int i = from; i <= to; i++) {
            out.add(i);
          }
        }
      } catch (NumberFormatException e) {
        throw new InvalidInputException(option + ": cannot read '" + p + "'; expected e.g. 0-15 or 3,7,10-12");
      }
    }
    for (int i : out) {
      if (i < 0) {
        throw new InvalidInputException(option + ": " + i + " is negative; indices start at 0");
      }
    }
    return out;
  }
}
