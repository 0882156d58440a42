package dev.convlens.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code model.summary()} as tf.keras 2 prints it: the three-column table for chains, the
 * four-column one with "Connected to" when layers branch or merge, then the parameter totals.
 */
final class Summary {
  private Summary() {}

  static String format(KerasModel model, boolean expandNested) {
    // Keras lists a Sequential's layers without its implicit InputLayer (Sequential.layers omits it).
    Set<String> sequentials = new HashSet<>();
    if ("Sequential".equals(model.modelClass())) {
      sequentials.add("");
    }
    for (LayerInfo l : model.layers()) {
      if (l.className().equals("Sequential")) {
        sequentials.add(l.path());
      }
    }
    List<LayerInfo> rows = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      String container = l.path().contains("/") ? l.path().substring(0, l.path().lastIndexOf('/')) : "";
      boolean hiddenInput = l.className().equals("InputLayer") && sequentials.contains(container);
      if ((expandNested || l.depth() == 0) && !l.path().contains("@") && !hiddenInput) {
        rows.add(l);
      }
    }
    boolean chain = isChain(rows);
    // Keras 2's print_summary column stops: line_length 65 for chains, 98 with "Connected to".
    int[] widths = chain ? new int[] {29, 55, 65} : new int[] {32, 53, 65, 98};
    int total = widths[widths.length - 1];
    String thin = "_".repeat(total);
    String thick = "=".repeat(total);
    StringBuilder b = new StringBuilder();
    b.append("Model: \"").append(model.name()).append("\"\n").append(thin).append('\n');
    row(b, widths, chain ? new String[] {"Layer (type)", "Output Shape", "Param #"}
        : new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"});
    b.append(thick).append('\n');
    for (int i = 0; i < rows.size(); i++) {
      LayerInfo l = rows.get(i);
      String shape = KerasModel.shapeText(l.outputShape());
      if (l.className().equals("InputLayer")) {
        shape = "[" + shape + "]";
      }
      String label = (expandNested ? l.path() : l.name()) + " (" + l.className() + ")";
      String params = Long.toString(l.parameters());
      if (chain) {
        row(b, widths, new String[] {label, shape, params});
      } else {
        List<String> in = l.inbound();
        row(b, widths, new String[] {label, shape, params, in.isEmpty() ? "" : in.get(0) + "[0][0]"});
        for (int k = 1; k < in.size(); k++) {
          row(b, widths, new String[] {"", "", "", in.get(k) + "[0][0]"});
        }
      }
      b.append(i == rows.size() - 1 ? thick : thin).append('\n');
    }
    long all = 0;
    long trainable = 0;
    for (LayerInfo l : model.layers()) {
      if (l.depth() == 0 && !l.path().contains("@")) {
        all += l.parameters();
        trainable += l.trainableParameters();
      }
    }
    // Keras formats with "{:,}": always comma-grouped, whatever the JVM's locale.
    b.append(String.format(Locale.ROOT, "Total params: %,d\n", all));
    b.append(String.format(Locale.ROOT, "Trainable params: %,d\n", trainable));
    b.append(String.format(Locale.ROOT, "Non-trainable params: %,d\n", all - trainable));
    b.append(thin).append('\n');
    return b.toString();
  }

  /** A chain: every layer takes one input and feeds at most one other layer. */
  private static boolean isChain(List<LayerInfo> rows) {
    Map<String, Integer> uses = new HashMap<>();
    for (LayerInfo l : rows) {
      if (l.inbound().size() > 1) {
        return false;
      }
      for (String in : l.inbound()) {
        if (uses.merge(in, 1, Integer::sum) > 1) {
          return false;
        }
      }
    }
    return true;
  }

  /** As Keras' print_row: each field starts after the previous stop and is cut at its own stop. */
  private static void row(StringBuilder b, int[] stops, String[] cells) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        line.setLength(line.length() - 1);
        line.append(' ');
      }
      line.append(cells[i]);
      if (line.length() > stops[i]) {
        line.setLength(stops[i]);
      }
      line.append(" ".repeat(stops[i] - line.length()));
    }
    b.append(line.toString().stripTrailing()).append('\n');
  }
}
