package dev.convlens.visualize.cam;

/** Progress of a long CAM computation (Score-CAM's masked forward passes). */
@FunctionalInterface
public interface CamListener {
  CamListener NONE = (done, total) -> { };

  /** {@code done} of {@code total} forward passes have run. */
  void progress(long done, long total);
}
