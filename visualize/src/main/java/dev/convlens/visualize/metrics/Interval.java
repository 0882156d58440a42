package dev.convlens.visualize.metrics;

/** An estimate with a confidence interval {@code [lower, upper]} at level {@code confidence} (e.g. 0.95). */
public record Interval(double estimate, double lower, double upper, double confidence) {}
