package dev.convlens.finetune.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The epochs of one or more phases, as Keras' {@code History}: written as JSON (Keras'
 * {@code history.history} keys plus one record per epoch), CSV ({@code CSVLogger} columns plus
 * phase and time) and a PNG of the accuracy and loss curves. Immutable.
 */
public record History(List<EpochMetrics> epochs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public History {
    epochs = List.copyOf(epochs);
  }

  public static History empty() {
    return new History(List.of());
  }

  /** This history followed by {@code next} (epoch numbers as recorded). */
  public History then(History next) {
    List<EpochMetrics> all = new ArrayList<>(epochs);
    all.addAll(next.epochs);
    return new History(all);
  }

  public boolean isEmpty() {
    return epochs.isEmpty();
  }

  public EpochMetrics last() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("empty history");
    }
    return epochs.get(epochs.size() - 1);
  }

  /** The epochs of one phase. */
  public List<EpochMetrics> phase(String name) {
    return epochs.stream().filter(e -> e.phase().equals(name)).toList();
  }

  /** The highest validation accuracy over all epochs (NaN without validation). */
  public double bestValAccuracy() {
    return epochs.stream().mapToDouble(EpochMetrics::valAccuracy).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    series(root, "loss", EpochMetrics::loss);
    series(root, "accuracy", EpochMetrics::accuracy);
    series(root, "val_loss", EpochMetrics::valLoss);
    series(root, "val_accuracy", EpochMetrics::valAccuracy);
    ArrayNode list = root.putArray("epochs");
    for (EpochMetrics e : epochs) {
      ObjectNode o = list.addObject();
      o.put("epoch", e.epoch());
      o.put("phase", e.phase());
      o.put("phase_epoch", e.phaseEpoch());
      number(o, "loss", e.loss());
      number(o, "accuracy", e.accuracy());
      number(o, "val_loss", e.valLoss());
      number(o, "val_accuracy", e.valAccuracy());
      o.put("seconds", Math.round(e.seconds() * 1000) / 1000.0);
      o.put("prefix_cached", e.prefixCached());
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void series(ObjectNode root, String key, ToDoubleFunction<EpochMetrics> f) {
    ArrayNode a = root.putArray(key);
    for (EpochMetrics e : epochs) {
      double v = f.applyAsDouble(e);
      if (Double.isNaN(v)) {
        a.addNull();
      } else {
        a.add(v);
      }
    }
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isNaN(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }

  /** CSV with a header: {@code epoch,phase,accuracy,loss,val_accuracy,val_loss,seconds,prefix_cached}. */
  public String toCsv() {
    StringBuilder b = new StringBuilder("epoch,phase,accuracy,loss,val_accuracy,val_loss,seconds,prefix_cached\n");
    for (EpochMetrics e : epochs) {
      b.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%.3f,%b%n", e.epoch(), e.phase(), csv(e.accuracy()),
          csv(e.loss()), csv(e.valAccuracy()), csv(e.valLoss()), e.seconds(), e.prefixCached()));
    }
    return b.toString();
  }

  private static String csv(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  public void writeJson(Path file) {
    write(file, toJson());
  }

  public void writeCsv(Path file) {
    write(file, toCsv());
  }

  /** The book's two plots side by side: accuracy and loss per epoch, training dots, validation line. */
  public void plot(Path png) {
    HistoryPlot.write(this, png);
  }

  /** Atomically ({@link AtomicFiles}); a failure is an {@code OutputWriteException} naming the file and the cause. */
  static void write(Path file, String text) {
    Path target = file.toAbsolutePath().normalize();
    try {
      AtomicFiles.write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw AtomicFiles.failure(target, e);
    }
  }
}
