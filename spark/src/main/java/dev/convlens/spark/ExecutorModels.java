package dev.convlens.spark;

import dev.convlens.bridge.SessionOptions;
import dev.convlens.visualize.ImageClassifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.jspecify.annotations.Nullable;

/**
 * The models of this executor JVM: each (spec, session threads) loaded once, on first use, and
 * shared by every task that asks for it, counted while tasks use it. Models stay loaded between
 * jobs and are closed when the executor stops ({@link ConvlensPlugin}) or by {@link #closeIdle}.
 * Spark gives a task no other object that lives as long as its executor, so this is the one
 * JVM-wide registry of models in convlens.
 */
final class ExecutorModels {
  private static final Logger LOG = LogManager.getLogger(ExecutorModels.class);
  private static final Pattern LOCAL_MASTER = Pattern.compile("local\\[(\\*|[0-9]+)(?:,[0-9]+)?\\]");
  private static final Map<Key, Shared> MODELS = new HashMap<>();

  private record Key(ModelSpec spec, SessionOptions session) {}

  /** One loaded model and how many tasks hold it. */
  private static final class Shared {
    private final Key key;
    private @Nullable ImageClassifier classifier;
    private int users;
    private boolean closeWhenIdle;

    Shared(Key key) {
      this.key = key;
    }

    /** Loads on first call; concurrent first calls wait for the one load (a failed load is tried again). */
    synchronized ImageClassifier classifier() {
      if (classifier == null) {
        long t0 = System.nanoTime();
        classifier = key.spec().load(key.session());
        LOG.info("loaded {} for this executor in {} ms ({})", key.spec().location(), (System.nanoTime() - t0) / 1_000_000,
            key.session());
      }
      return classifier;
    }

    synchronized void close() {
      if (classifier != null) {
        classifier.close();
        classifier = null;
      }
    }
  }

  /** A task's hold on a shared model; closing it (once) lets the model go when the executor stops. */
  static final class Lease implements AutoCloseable {
    private final Shared shared;
    private boolean closed;

    private Lease(Shared shared) {
      this.shared = shared;
    }

    ImageClassifier classifier() {
      return shared.classifier();
    }

    @Override
    public void close() {
      synchronized (ExecutorModels.class) {
        if (closed) {
          return;
        }
        closed = true;
        shared.users--;
        if (shared.users == 0 && shared.closeWhenIdle) {
          MODELS.remove(shared.key);
          shared.close();
        }
      }
    }
  }

  private ExecutorModels() {}

  /** A hold on the model of {@code spec} with {@code session}'s threads; the model is loaded on the lease's first use. */
  static Lease acquire(ModelSpec spec, SessionOptions session) {
    synchronized (ExecutorModels.class) {
      Shared s = MODELS.computeIfAbsent(new Key(spec, session), Shared::new);
      s.users++;
      return new Lease(s);
    }
  }

  /** How many models this JVM holds (loaded or being loaded). */
  static synchronized int size() {
    return MODELS.size();
  }

  /** How many tasks hold a model now. */
  static synchronized int users() {
    return MODELS.values().stream().mapToInt(s -> s.users).sum();
  }

  /** Closes the models no task holds; the others close when their last task lets go. */
  static void closeIdle() {
    List<Shared> idle = new ArrayList<>();
    synchronized (ExecutorModels.class) {
      for (var it = MODELS.values().iterator(); it.hasNext(); ) {
        Shared s = it.next();
        if (s.users == 0) {
          idle.add(s);
          it.remove();
        } else {
          s.closeWhenIdle = true;
        }
      }
    }
    idle.forEach(Shared::close);
  }

  /**
   * The session of a task: intra-op threads = the task's cores ({@code spark.task.cpus}), inter-op
   * threads = the tasks this executor runs at once, so concurrent tasks on one shared model each
   * get a thread to run their ops on.
   */
  static SessionOptions sessionFor(@Nullable TaskContext task) {
    if (task == null) {
      return SessionOptions.defaults();
    }
    int cpus = Math.max(1, task.cpus());
    SparkEnv env = SparkEnv.get();
    int cores = env == null ? Runtime.getRuntime().availableProcessors() : executorCores(env.conf());
    return SessionOptions.defaults().withIntraOpThreads(cpus).withInterOpThreads(Math.max(1, cores / cpus));
  }

  /** {@code spark.executor.cores}, else N of a {@code local[N]} master, else the machine's cores. */
  static int executorCores(SparkConf conf) {
    if (conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.cores", 1);
    }
    String master = conf.get("spark.master", "");
    if (master.equals("local")) {
      return 1;
    }
    Matcher m = LOCAL_MASTER.matcher(master);
    if (m.matches() && !m.group(1).equals("*")) {
      return Integer.parseInt(m.group(1));
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
