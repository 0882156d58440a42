/**
 * Timing harnesses for the {@code convlens bench} commands: plain {@code System.nanoTime} loops
 * (no JMH), each measurement an immutable record so it can be tested and printed apart; medians,
 * quantiles and paired tests (Wilcoxon signed-rank) from Apache Commons Math. {@code bench forward}
 * runs each setting in a worker JVM of its own ({@link dev.convlens.cli.bench.WorkerProcess}),
 * because TensorFlow sizes its thread pools once per process. Depends on tf-bridge's public API
 * and SPI, visualize and finetune; nothing in the library depends on it.
 */
@NullMarked
package dev.convlens.cli.bench;

import org.jspecify.annotations.NullMarked;
