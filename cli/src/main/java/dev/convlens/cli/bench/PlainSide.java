package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.BuiltIn;
import dev.convlens.visualize.ClassifierOptions;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The JVM-without-Spark half of {@code bench spark}: what one executor does with {@code cores}
 * task slots, done by hand. One classifier with the session the executor's tasks get
 * ({@code ExecutorModels.sessionFor}: intra-op threads = 1 task cpu, inter-op threads = the
 * executor's cores), shared by {@code cores} threads that each take an equal share of the files
 * and run them {@code batch} at a time.
 */
final class PlainSide implements AutoCloseable {
  private final int cores;
  private final int batch;
  private final List<Path> files;
  private final ImageClassifier classifier;
  private final ExecutorService threads;

  PlainSide(int cores, int batch, List<Path> files, Path weights, Path labels) {
    this.cores = cores;
    this.batch = batch;
    this.files = List.copyOf(files);
    SessionOptions session = SessionOptions.defaults().withIntraOpThreads(1).withInterOpThreads(cores);
    this.classifier = ImageClassifier.builtIn(BuiltIn.mobileNet(0.25, 128).withWeights(weights),
        ClassifierOptions.defaults().withLoad(LoadOptions.defaults().withSession(session))
            .withPreprocessing(Preprocessing.TF).withLabels(labels));
    this.threads = Executors.newFixedThreadPool(cores);
  }

  /** Seconds from reading the first file to the last batch's results, on {@code cores} threads. */
  double run(SparkBench.Task task) {
    long t0 = System.nanoTime();
    List<Future<?>> shares = new ArrayList<>(cores);
    for (int t = 0; t < cores; t++) {
      List<Path> share = files.subList(t * files.size() / cores, (t + 1) * files.size() / cores);
      shares.add(threads.submit(() -> runShare(task, share)));
    }
    try {
      for (Future<?> f : shares) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private void runShare(SparkBench.Task task, List<Path> share) {
    if (task == SparkBench.Task.READ) {
      share.forEach(PlainSide::read);
      return;
    }
    for (int i = 0; i < share.size(); i += batch) {
      List<InputImage> images = new ArrayList<>(batch);
      for (Path p : share.subList(i, Math.min(share.size(), i + batch))) {
        images.add(InputImage.of(read(p)));
      }
      FloatTensor x = classifier.inputs(images);
      if (task == SparkBench.Task.PREDICT) {
        classifier.classNames().decodePredictions(classifier.model().predict(x), 5);
      } else {
        classifier.attributor(CamMethod.GRAD_CAM_BOOK, null).explain(x, Collections.nCopies(images.size(), Target.topClass()));
      }
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
    classifier.close();
  }
}
