package dev.convlens.bridge.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fuzz.FuzzRun.Outcome;
import dev.convlens.bridge.fuzz.FuzzRun.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fixed-seed fuzz over every model format (Keras 2 HDF5, .keras zip, model JSON plus weights,
 * convlens SavedModel export) and the image and array decoders: every mutated file must read (finite)
 * or fail with a typed exception, never hang, never run out of memory. Runs in its own surefire
 * execution with {@code -Xmx512m} (see the module POM), so a memory bomb shows as an
 * OutOfMemoryError here instead of passing on a large heap.
 */
class HostileFilesFuzzTest {
  private static final int CASES = Integer.getInteger("convlens.fuzz.cases", 1000);
  private static final long SEED = Long.getLong("convlens.fuzz.seed", 20261205L);

  @TempDir Path temp;

  @Test
  void everyMutatedFileReadsOrFailsTyped() {
    long start = System.nanoTime();
    List<Result> results = new FuzzRun(30).run(Seeds.write(temp.resolve("seeds")), CASES, SEED, temp.resolve("cases"));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("fuzz: %d cases in %.1f s, max heap %d MB%n", results.size(), seconds,
        Runtime.getRuntime().maxMemory() >> 20);
    FuzzRun.summary(results).forEach((k, v) -> System.out.printf("  %-45s %4d%n", k, v));
    Set<Outcome> defects = Set.of(Outcome.NON_FINITE_OUTPUT, Outcome.UNTYPED_EXCEPTION, Outcome.OUT_OF_MEMORY,
        Outcome.HANG);
    List<Result> bad = results.stream().filter(r -> defects.contains(r.outcome())).toList();
    String report = bad.stream().map(r -> "case " + r.c().id() + " (" + r.c().seed().format() + ", " + r.c().mutation()
        + "): " + r.outcome() + " " + r.detail()).collect(Collectors.joining("\n"));
    assertTrue(bad.isEmpty(), bad.size() + " defects of " + results.size() + " cases:\n" + report);
  }
}
