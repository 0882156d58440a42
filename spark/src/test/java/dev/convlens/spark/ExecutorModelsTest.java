package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelClosedException;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.visualize.ImageClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** One load per (model, threads) however many tasks ask at once; closed only when no task holds it. */
class ExecutorModelsTest {
  /** The project's own demo model: small, and always there. */
  private static final ModelSpec SHAPES = ModelSpec.file(Path.of("..", "saved_models", "shapes").toString());
  private static final FloatTensor IMAGE = FloatTensor.of(new float[64 * 64 * 3], 1, 64, 64, 3);
  private static final SessionOptions ONE = SessionOptions.defaults().withIntraOpThreads(1).withInterOpThreads(1);

  @Test
  void concurrentTasksShareOneLoadAndTheLastToLetGoClosesItAfterCloseIdle() throws Exception {
    ExecutorModels.closeIdle();
    int before = ExecutorModels.size();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Set<ImageClassifier> seen = ConcurrentHashMap.newKeySet();
    List<ExecutorModels.Lease> leases = new ArrayList<>();
    try {
      List<Future<ExecutorModels.Lease>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(pool.submit(() -> {
          ExecutorModels.Lease lease = ExecutorModels.acquire(SHAPES, ONE);
          seen.add(lease.classifier());
          return lease;
        }));
      }
      for (Future<ExecutorModels.Lease> t : tasks) {
        leases.add(t.get());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(1, seen.size(), "one load for 8 tasks");
    assertEquals(before + 1, ExecutorModels.size());
    ImageClassifier model = seen.iterator().next();

    ExecutorModels.closeIdle(); // held: stays open until its last task lets go
    for (int i = 0; i < 7; i++) {
      leases.get(i).close();
      leases.get(i).close(); // twice is once
    }
    assertSame(model, leases.get(7).classifier());
    model.model().predict(IMAGE);
    leases.get(7).close();
    assertThrows(ModelClosedException.class, () -> model.model().predict(IMAGE));
    assertEquals(before, ExecutorModels.size());
  }

  @Test
  void anIdleModelStaysLoadedForTheNextJobUntilCloseIdle() {
    ExecutorModels.Lease first = ExecutorModels.acquire(SHAPES, ONE);
    ImageClassifier model = first.classifier();
    first.close();
    ExecutorModels.Lease second = ExecutorModels.acquire(SHAPES, ONE);
    assertSame(model, second.classifier(), "kept between tasks");
    second.close();
    ExecutorModels.Lease otherThreads = ExecutorModels.acquire(SHAPES, ONE.withInterOpThreads(2));
    assertEquals(false, model == otherThreads.classifier(), "other session threads, another model");
    otherThreads.close();
    ExecutorModels.closeIdle();
    assertThrows(ModelClosedException.class, () -> model.model().predict(IMAGE));
  }

  @Test
  void executorCoresComeFromTheConfOrTheLocalMaster() {
    assertEquals(3, ExecutorModels.executorCores(new SparkConf(false).set("spark.executor.cores", "3")));
    assertEquals(2, ExecutorModels.executorCores(new SparkConf(false).set("spark.master", "local[2]")));
    assertEquals(4, ExecutorModels.executorCores(new SparkConf(false).set("spark.master", "local[4,3]")));
    assertEquals(1, ExecutorModels.executorCores(new SparkConf(false).set("spark.master", "local")));
    assertEquals(Runtime.getRuntime().availableProcessors(),
        ExecutorModels.executorCores(new SparkConf(false).set("spark.master", "local[*]")));
  }
}
