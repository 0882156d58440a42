package dev.convlens.cli.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Many tasks timed round-robin: every round runs each task once, starting one task later than the
 * round before, so machine drift (other processes, thermal state) reaches every task alike. Slow
 * tasks (hundreds of forward passes per call) run only in the first {@code slowIterations} timed
 * rounds and not in the warm-up: their first-call overhead is a small part of one call.
 */
final class CostRounds {
  /** One thing to time: {@code name} at {@code batch}. */
  record Task(String name, int batch, boolean slow, Runnable body) {}

  /** A task's wall times, in the order of the rounds it ran in. */
  record Measured(Task task, Timings timings) {}

  /** Called before each call: round counts from 1, warm-up rounds first. */
  interface Progress {
    Progress NONE = (round, rounds, warmup, task) -> { };

    void starting(int round, int rounds, boolean warmup, Task task);
  }

  private final int warmup;
  private final int iterations;
  private final int slowIterations;

  CostRounds(int warmup, int iterations, int slowIterations) {
    if (warmup < 0 || iterations < 1 || slowIterations < 0 || slowIterations > iterations) {
      throw new IllegalArgumentException("need warm-up >= 0, iterations >= 1 and 0 <= slow iterations <= iterations, got "
          + warmup + ", " + iterations + " and " + slowIterations);
    }
    this.warmup = warmup;
    this.iterations = iterations;
    this.slowIterations = slowIterations;
  }

  /** Times {@code tasks}; the result holds every task that ran at least once, in the order given. */
  List<Measured> run(List<Task> tasks, Progress progress) {
    int rounds = warmup + iterations;
    List<List<Long>> nanos = new ArrayList<>();
    tasks.forEach(t -> nanos.add(new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      boolean warm = r < warmup;
      int timedRound = r - warmup;
      List<Integer> active = new ArrayList<>();
      for (int i = 0; i < tasks.size(); i++) {
        if (!tasks.get(i).slow() || (!warm && timedRound < slowIterations)) {
          active.add(i);
        }
      }
      for (int k = 0; k < active.size(); k++) {
        int i = active.get((k + r) % active.size());
        Task t = tasks.get(i);
        progress.starting(r + 1, rounds, warm, t);
        long start = System.nanoTime();
        t.body().run();
        long elapsed = System.nanoTime() - start;
        if (!warm) {
          nanos.get(i).add(elapsed);
        }
      }
    }
    List<Measured> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (!nanos.get(i).isEmpty()) {
        out.add(new Measured(tasks.get(i), Timings.ofNanos(nanos.get(i).stream().mapToLong(Long::longValue).toArray())));
      }
    }
    return out;
  }
}
