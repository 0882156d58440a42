package dev.convlens.cli;

import dev.convlens.finetune.training.EpochMetrics;
import dev.convlens.finetune.training.TrainingEvent;
import dev.convlens.finetune.training.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress on stderr: one bar per epoch redrawn with '\r' as batches finish, ended with
 * the epoch's validation metrics; caching and notes on lines of their own.
 */
final class ProgressBar implements TrainingListener {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private int epochs;

  ProgressBar(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void onEvent(TrainingEvent event) {
    if (event instanceof TrainingEvent.PhaseStarted p) {
      epochs = p.epochs();
      err.printf(Locale.ROOT, "%s: %d epochs, %,d trainable parameters%s%n", p.phase(), p.epochs(),
          p.trainableParameters(), p.cutLayer() != null ? ", training from cached '" + p.cutLayer() + "' outputs" : "");
    } else if (event instanceof TrainingEvent.Caching c) {
      err.printf(Locale.ROOT, "\rcaching frozen layers (%s) %s %d/%d", c.dataset(), bar(c.done(), c.total()), c.done(),
          c.total());
      if (c.done() == c.total()) {
        err.println();
      }
    } else if (event instanceof TrainingEvent.EpochStarted s) {
      err.printf(Locale.ROOT, "\repoch %d/%d %s", s.epoch(), s.epochs(), bar(0, s.steps()));
    } else if (event instanceof TrainingEvent.BatchDone b) {
      err.printf(Locale.ROOT, "\repoch %d/%d %s %d/%d loss %.4f accuracy %.4f", b.epoch(), epochs, bar(b.step(), b.steps()),
          b.step(), b.steps(), b.loss(), b.accuracy());
    } else if (event instanceof TrainingEvent.EpochDone d) {
      EpochMetrics m = d.metrics();
      err.printf(Locale.ROOT, "%s - %.1f s%n", m.hasValidation()
          ? String.format(Locale.ROOT, " val_loss %.4f val_accuracy %.4f", m.valLoss(), m.valAccuracy()) : "", m.seconds());
    } else if (event instanceof TrainingEvent.Note n) {
      err.println(n.message());
    }
    err.flush();
  }

  static String bar(int done, int total) {
    int filled = total == 0 ? WIDTH : done * WIDTH / total;
    return "[" + "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "") + "]";
  }
}
