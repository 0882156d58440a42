package dev.convlens.cli.bench;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.spark.ModelSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench spark} (issue 16): what Spark costs on top of the library at equal cores.
 * MobileNet-0.25 at 128 predicts (top 5) and explains (the book's Grad-CAM of the top class) the
 * same images through {@code ConvlensSpark} on {@code local[1]} and {@code local[2]}, and in this
 * JVM without Spark as one executor would run them (one shared classifier with the executor's
 * session, one thread per core); every setting once per round, after an untimed warm-up round
 * that also loads the models, so model loading is outside every timing.
 *
 * <p>Both sides run in this one process and share TensorFlow's process-wide intra-op pool, sized
 * by the first session (intra-op 1 on both sides), as in an executor JVM.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
    description = {"Spark's overhead at equal cores: MobileNet-0.25 (128) predict (top 5) and Grad-CAM (gradcam-book,"
        + " top class) of a folder of JPEGs through ConvlensSpark on local[1] and local[2] vs the same work in this"
        + " JVM without Spark (one classifier shared by one thread per core), round-robin in one run.",
        "Prints median seconds and images/s per setting, the overhead (spark / plain - 1) and the 1 -> 2 core scaling."
            + " Run through the convlens launcher, which adds Spark to the classpath."})
public final class SparkBench implements Callable<Integer> {
  static final List<Integer> CORES = List.of(1, 2);
  static final List<Task> MODEL_TASKS = List.of(Task.PREDICT, Task.GRADCAM);
  /** Where the shared data is, relative to the convlens folder (CONVLENS_HOME). */
  private static final String SHARED = "../shared/data/";

  /** The work each setting does to every image. */
  enum Task {
    /** Only reading the files: Spark's binaryFile scan vs Files.readAllBytes, the part of the overhead that is not convlens'. */
    READ("read files"),
    PREDICT("predict"),
    GRADCAM("gradcam-book");

    final String label;

    Task(String label) {
      this.label = label;
    }
  }

  @Option(names = "--data", paramLabel = "DIR",
      description = "Folder of .jpg images, searched recursively (default: " + SHARED + "cats_and_dogs_small/train under"
          + " the convlens folder, 2,000 images).")
  @Nullable Path data;

  @Option(names = "--weights", paramLabel = "FILE",
      description = "mobilenet_2_5_128_tf.h5 (default: " + SHARED + "models/keras-applications/ under the convlens folder).")
  @Nullable Path weights;

  @Option(names = "--labels", paramLabel = "FILE",
      description = "imagenet_class_index.json (default: " + SHARED + " under the convlens folder).")
  @Nullable Path labels;

  @Option(names = "--rounds", defaultValue = "3", paramLabel = "N",
      description = "Timed rounds, each running every setting once (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per graph run (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--limit", paramLabel = "N", description = "Only the first N images, by path (default: all).")
  @Nullable Integer limit;

  @Spec
  CommandSpec spec;

  /** One timed setting: the task, Spark or not, and the cores. */
  record Setting(Task task, boolean spark, int cores) {
    String name() {
      return String.format(Locale.ROOT, "%-13s %s", task.label,
          spark ? "spark local[" + cores + "]" : "plain " + cores + (cores == 1 ? " core" : " cores"));
    }
  }

  @Override
  public Integer call() {
    requireSpark();
    for (var o : List.of(Map.entry("--rounds", rounds), Map.entry("--batch", batch),
        Map.entry("--limit", limit == null ? 1 : limit))) {
      if (o.getValue() < 1) {
        throw new ParameterException(spec.commandLine(), o.getKey() + " must be 1 or more, got " + o.getValue());
      }
    }
    Path folder = data != null ? data : shared("cats_and_dogs_small/train");
    Path weightsFile = requireFile(weights != null ? weights : shared("models/keras-applications/mobilenet_2_5_128_tf.h5"),
        "--weights");
    Path labelsFile = requireFile(labels != null ? labels : shared("imagenet_class_index.json"), "--labels");
    List<Path> all = jpegs(folder);
    List<Path> files = limit == null || limit >= all.size() ? all : all.subList(0, limit);
    ModelSpec model = ModelSpec.builtIn("mobilenet_0.25_128").withWeights(weightsFile.toString())
        .withPreprocessing(Preprocessing.TF).withLabels(labelsFile.toString());

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.printf(Locale.ROOT, "spark bench: MobileNet-0.25 at 128, %d images of %s, batch %d, %d round%s after 1 warm-up"
        + " round (medians), Spark's own file splits%n", files.size(), folder, batch, rounds, rounds == 1 ? "" : "s");
    out.printf(Locale.ROOT, "machine: %d cores, load average %.2f at the start%n", Runtime.getRuntime().availableProcessors(),
        load());
    out.flush();

    Map<Setting, List<Double>> seconds = new LinkedHashMap<>();
    List<PlainSide> plain = new ArrayList<>();
    try {
      // The plain classifiers load before any timing; the executors' models load in the warm-up round.
      for (int cores : CORES) {
        plain.add(new PlainSide(cores, batch, files, weightsFile, labelsFile));
      }
      for (int round = 0; round <= rounds; round++) {
        String which = round == 0 ? "warm-up" : "round " + round + "/" + rounds;
        for (int cores : CORES) {
          try (SparkSide s = new SparkSide(cores, model, batch, folder, files, files == all)) {
            for (Task task : Task.values()) {
              Setting setting = new Setting(task, true, cores);
              if (round == 0) {
                long t0 = System.nanoTime();
                long[] rowsAndErrors = s.check(task);
                progress(err, which, setting, (System.nanoTime() - t0) / 1e9, files.size(), String.format(Locale.ROOT,
                    ", %d rows, %d errors, %s", rowsAndErrors[0], rowsAndErrors[1], s.partitions()));
              } else {
                record(seconds, setting, s.run(task), err, which, files.size());
              }
            }
          }
          for (Task task : Task.values()) {
            Setting setting = new Setting(task, false, cores);
            double t = plain.get(CORES.indexOf(cores)).run(task);
            if (round == 0) {
              progress(err, which, setting, t, files.size(), "");
            } else {
              record(seconds, setting, t, err, which, files.size());
            }
          }
        }
      }
    } finally {
      plain.forEach(PlainSide::close);
    }
    print(out, seconds, files.size());
    out.flush();
    return 0;
  }

  private static void record(Map<Setting, List<Double>> seconds, Setting setting, double t, PrintWriter err, String which,
      int images) {
    seconds.computeIfAbsent(setting, k -> new ArrayList<>()).add(t);
    progress(err, which, setting, t, images, "");
  }

  private static void progress(PrintWriter err, String which, Setting setting, double t, int images, String more) {
    err.printf(Locale.ROOT, "%s: %s %.2f s (%.1f images/s%s)%n", which, setting.name(), t, images / t, more);
    err.flush();
  }

  /** The table: one row per setting (median over the rounds), then the overheads and the scaling. */
  static void print(PrintWriter out, Map<Setting, List<Double>> seconds, int images) {
    Map<Setting, Double> median = new LinkedHashMap<>();
    seconds.forEach((s, t) -> median.put(s, Timings.median(t.stream().mapToDouble(Double::doubleValue).toArray())));
    out.printf(Locale.ROOT, "%-30s %10s %10s%n", "setting", "median s", "images/s");
    for (Task task : Task.values()) {
      for (int cores : CORES) {
        for (boolean spark : new boolean[] {true, false}) {
          Setting s = new Setting(task, spark, cores);
          double t = at(median, s);
          out.printf(Locale.ROOT, "%-30s %10.2f %10.1f%n", s.name(), t, images / t);
        }
      }
    }
    out.println("Spark overhead at equal cores (spark time / plain time - 1; issue 16's target: under 10%), and the part of"
        + " it that is reading the files ((spark read - plain read) / plain time):");
    for (Task task : MODEL_TASKS) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-13s", task.label));
      for (int cores : CORES) {
        double plain = at(median, new Setting(task, false, cores));
        double overhead = at(median, new Setting(task, true, cores)) / plain - 1;
        double reading = (at(median, new Setting(Task.READ, true, cores)) - at(median, new Setting(Task.READ, false, cores))) / plain;
        b.append(String.format(Locale.ROOT, "  %d core%s %+6.1f%% (reading %+5.1f%%)", cores, cores == 1 ? " " : "s",
            100 * overhead, 100 * reading));
      }
      out.println(b);
    }
    int lo = CORES.get(0);
    int hi = CORES.get(CORES.size() - 1);
    out.printf(Locale.ROOT, "scaling %d -> %d cores (%d-core time / %d-core time):%n", lo, hi, lo, hi);
    for (Task task : MODEL_TASKS) {
      out.printf(Locale.ROOT, "  %-13s  spark %5.2fx  plain %5.2fx%n", task.label,
          at(median, new Setting(task, true, lo)) / at(median, new Setting(task, true, hi)),
          at(median, new Setting(task, false, lo)) / at(median, new Setting(task, false, hi)));
    }
    out.printf(Locale.ROOT, "load average %.2f at the end%n", load());
  }

  /** The shaded convlens.jar leaves Spark out: say how to get it rather than fail on the first Spark class. */
  private static void requireSpark() {
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, SparkBench.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConvlensException("Spark is not on the classpath: run `./convlens bench spark` (the launcher adds"
          + " spark/target/spark-classpath.txt, written by `mvn package`)");
    }
  }

  private static double at(Map<Setting, Double> median, Setting s) {
    return Objects.requireNonNull(median.get(s), s::name);
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** {@code relative} in the shared data beside the convlens folder (CONVLENS_HOME), else beside the working directory. */
  private static Path shared(String relative) {
    String home = System.getProperty("convlens.home", System.getenv("CONVLENS_HOME"));
    return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().resolve(SHARED + relative).normalize();
  }

  private static Path requireFile(Path file, String option) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(option + ": no file " + file);
    }
    return file;
  }

  /** The {@code *.jpg} files under {@code folder}, sorted by path (as the binaryFile source with pathGlobFilter finds them). */
  private static List<Path> jpegs(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new InvalidInputException("--data: no folder " + folder);
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      List<Path> files = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jpg"))
          .sorted().toList();
      if (files.isEmpty()) {
        throw new InvalidInputException("--data: no .jpg files under " + folder);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }
}
