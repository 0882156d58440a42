package dev.convlens.visualize.cam;

/** How far a long CAM computation is: {@code done} of {@code total} forward passes (Score-CAM's masked runs). */
public record CamProgress(long done, long total) {}
