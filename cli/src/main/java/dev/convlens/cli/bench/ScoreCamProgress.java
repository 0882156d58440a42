package dev.convlens.cli.bench;

import dev.convlens.visualize.cam.CamListener;
import java.io.PrintWriter;

/** The extra forward passes of Score-CAM, Faster-Score-CAM and Ablation-CAM as one rewritten line on stderr, for gradcam and bench gradcam. */
public final class ScoreCamProgress {
  private ScoreCamProgress() {}

  public static CamListener to(PrintWriter err) {
    return p -> {
      err.print("\rCAM: " + p.done() + "/" + p.total() + " forward passes");
      if (p.done() == p.total()) {
        err.println();
      }
      err.flush();
    };
  }
}
