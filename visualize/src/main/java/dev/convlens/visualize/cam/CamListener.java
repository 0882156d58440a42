package dev.convlens.visualize.cam;

/** Receives progress of a long CAM computation, on the calling thread; keep it quick. */
@FunctionalInterface
public interface CamListener {
  CamListener NONE = p -> { };

  void onEvent(CamProgress progress);
}
