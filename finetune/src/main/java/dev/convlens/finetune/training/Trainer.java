package dev.convlens.finetune.training;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelRun;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Runs phases on one classifier's graph: takes the phase's gradient and update ops (built on the
 * first phase with that configuration, reused after), resets the optimizer slots, decides whether
 * the frozen prefix can be cached, then runs epochs of steps through the model's run builder
 * (feeding images or cached activations, labels and dropout masks), evaluates, stops early and
 * restores best weights.
 */
final class Trainer {
  private static final Logger LOG = LogManager.getLogger(Trainer.class);
  /** Caches may take at most this share of the heap still free. */
  private static final double CACHE_HEAP_SHARE = 0.5;

  private final KerasModel model;
  private final ModelGraph graph;
  private final HeadLayers head;
  private final ClassifierOps ops;
  private int epochsDone;

  Trainer(KerasModel model, HeadLayers head, ClassifierOps ops) {
    this.model = model;
    this.graph = model.graph();
    this.head = head;
    this.ops = ops;
  }

  int epochsDone() {
    return epochsDone;
  }

  History fit(ImageDataset train, @Nullable ImageDataset validation, Phase phase, List<ModelVariable> vars, TrainingListener listener) {
    Cancellation cancellation = phase.cancellation();
    cancellation.check();
    OptimizerOps optimizer = OptimizerOps.of(model, head, ops, vars, phase.optimizer());
    graph.newRun().target(optimizer.reset).run();

    PrefixCache trainCache = null;
    PrefixCache valCache = null;
    String cut = phase.cachePrefix() ? usableCut(train, validation, vars, listener) : null;
    if (cut != null) {
      if (train.options().augmentation().isIdentity()) {
        trainCache = cache(cut, train, phase, "training", listener);
      }
      if (validation != null) {
        valCache = cache(cut, validation, phase, "validation", listener);
      }
    }
    long params = vars.stream().mapToLong(v -> v.spec().count()).sum();
    listener.onEvent(new TrainingEvent.PhaseStarted(phase.name(), phase.epochs(), vars.size(), params,
        trainCache != null ? cut : null));
    LOG.info("phase '{}': {} trainable weights ({} values), {}, train cache {}", phase.name(), vars.size(), params,
        phase.optimizer(), trainCache != null ? cut : "off");

    EarlyStopping stop = validation != null ? phase.earlyStopping() : null;
    Map<ModelVariable, FloatTensor> best = null;
    double bestValue = Double.NaN;
    int bestEpoch = -1;
    int wait = 0;
    List<EpochMetrics> epochs = new ArrayList<>();
    for (int e = 1; e <= phase.epochs(); e++) {
      int epoch = ++epochsDone;
      long start = System.nanoTime();
      List<int[]> batches = train.batchIndices(epoch);
      listener.onEvent(new TrainingEvent.EpochStarted(phase.name(), e, phase.epochs(), batches.size()));
      double lossSum = 0;
      long correct = 0;
      long seen = 0;
      for (int step = 0; step < batches.size(); step++) {
        int[] idx = batches.get(step);
        ModelRun run = newRun(phase);
        if (trainCache != null) {
          run.feed(trainCache.tensor, trainCache.gather(idx));
        } else {
          run.feedInput(train.batch(idx, epoch).images());
        }
        FloatTensor labels = train.labels(idx);
        run.feed(ops.labels, labels);
        if (ops.mask != null) {
          run.feed(ops.mask, dropoutMask(idx.length, phase.seed(), epoch, step));
        }
        List<FloatTensor> out = run.fetch(Objects.requireNonNull(ops.trainLoss)).fetch(Objects.requireNonNull(ops.trainProbabilities))
            .target(optimizer.step).cancellation(cancellation).run();
        for (float l : out.get(0).data()) {
          lossSum += l;
        }
        correct += Metrics.correct(out.get(1), labels);
        seen += idx.length;
        listener.onEvent(new TrainingEvent.BatchDone(phase.name(), e, step + 1, batches.size(), lossSum / seen,
            (double) correct / seen));
      }
      Evaluation val = validation != null ? evaluate(validation, valCache, cancellation) : null;
      EpochMetrics m = new EpochMetrics(phase.name(), epoch, e, lossSum / seen, (double) correct / seen,
          val != null ? val.loss() : Double.NaN, val != null ? val.accuracy() : Double.NaN,
          (System.nanoTime() - start) / 1e9, trainCache != null);
      epochs.add(m);
      listener.onEvent(new TrainingEvent.EpochDone(m));
      if (stop == null) {
        continue;
      }
      double v = stop.value(m);
      boolean improved = Double.isNaN(bestValue) || (stop.higherIsBetter() ? v > bestValue : v < bestValue);
      if (improved) {
        bestValue = v;
        bestEpoch = epoch;
        wait = 0;
        if (stop.restoreBestWeights() && e < phase.epochs()) {
          best = graph.readVariables(vars);
        } else {
          best = null; // the current weights are the best ones
        }
      } else if (++wait >= stop.patience()) {
        listener.onEvent(new TrainingEvent.Note(String.format(Locale.ROOT,
            "%s: early stop after epoch %d (%s did not improve for %d epochs)", phase.name(), epoch, stop.monitor(), wait)));
        break;
      }
    }
    if (best != null && bestEpoch != epochsDone) {
      graph.assignVariables(best);
      listener.onEvent(new TrainingEvent.Note(String.format(Locale.ROOT, "%s: restored the weights of epoch %d (%s %.4f)",
          phase.name(), bestEpoch, Objects.requireNonNull(stop).monitor(), bestValue)));
    }
    return new History(epochs);
  }

  /** The cut layer if caching is possible: a known shape, a graph that runs from it alone, and memory for it. */
  private @Nullable String usableCut(ImageDataset train, @Nullable ImageDataset validation, List<ModelVariable> vars,
      TrainingListener listener) {
    String cut = PrefixCache.cutLayer(model, vars);
    if (cut == null) {
      return null;
    }
    long size = PrefixCache.sampleSize(model, cut);
    long samples = (train.options().augmentation().isIdentity() ? train.size() : 0)
        + (validation != null ? validation.size() : 0);
    Runtime rt = Runtime.getRuntime();
    long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (size < 0 || size * samples > Integer.MAX_VALUE || 4.0 * size * samples > CACHE_HEAP_SHARE * free) {
      listener.onEvent(new TrainingEvent.Note(String.format(Locale.ROOT,
          "not caching '%s' outputs: %d samples x %d values do not fit in the heap; every step runs the whole model",
          cut, samples, size)));
      return null;
    }
    // Another path from the input into the trainable layers (a skip connection) makes the run fail
    // without the input fed: try one sample of zeros.
    long[] shape = graph.layer(cut).outputShape().clone();
    shape[0] = 1;
    ModelRun run = graph.newRun().feed(graph.layer(cut).output(), new FloatTensor(shape, new float[(int) size]))
        .feed(ops.labels, new FloatTensor(new long[] {1, head.outputs()}, new float[head.outputs()]));
    if (ops.mask != null) {
      run.feed(ops.mask, dropoutMask(1, 0, 0, 0));
    }
    try {
      run.fetch(Objects.requireNonNull(ops.trainLoss)).fetch(ops.evalLoss).run();
      return cut;
    } catch (CancelledException e) {
      throw e;
    } catch (RuntimeException e) {
      listener.onEvent(new TrainingEvent.Note("not caching '" + cut + "' outputs: the trainable layers also need"
          + " other tensors (" + Objects.toString(e.getMessage(), e.toString()).lines().findFirst().orElse("") + ")"));
      return null;
    }
  }

  private PrefixCache cache(String cut, ImageDataset data, Phase phase, String name, TrainingListener listener) {
    long start = System.nanoTime();
    PrefixCache c = PrefixCache.compute(model, cut, data,
        done -> listener.onEvent(new TrainingEvent.Caching(phase.name(), name, done, data.size())), phase.cancellation());
    LOG.info("cached '{}' outputs of {} {} samples in {} ms", cut, data.size(), name, (System.nanoTime() - start) / 1_000_000);
    return c;
  }

  Evaluation evaluate(ImageDataset data, @Nullable PrefixCache cache, Cancellation cancellation) {
    ImageDataset plain = data.withOptions(data.options().forEvaluation());
    double lossSum = 0;
    long correct = 0;
    int seen = 0;
    for (int[] idx : plain.batchIndices(0)) {
      ModelRun run = graph.newRun();
      if (cache != null) {
        run.feed(cache.tensor, cache.gather(idx));
      } else {
        run.feedInput(plain.batch(idx, 0).images());
      }
      FloatTensor labels = plain.labels(idx);
      List<FloatTensor> out = run.feed(ops.labels, labels).fetch(ops.evalLoss).fetch(ops.evalProbabilities)
          .cancellation(cancellation).run();
      for (float l : out.get(0).data()) {
        lossSum += l;
      }
      correct += Metrics.correct(out.get(1), labels);
      seen += idx.length;
    }
    return new Evaluation(lossSum / seen, (double) correct / seen, seen);
  }

  private ModelRun newRun(Phase phase) {
    ModelRun run = graph.newRun();
    return phase.elementwiseCopies() ? run.elementwiseCopies() : run;
  }

  /** Keras' inverted dropout: keep with probability {@code 1 - rate}, scaled by {@code 1 / (1 - rate)}. */
  private FloatTensor dropoutMask(int n, long seed, int epoch, int step) {
    int width = (int) ops.maskWidth;
    float keep = (float) (1 - head.dropoutRate());
    float scale = 1f / keep;
    SplittableRandom r = new SplittableRandom(Metrics.mix(Metrics.mix(seed) ^ Metrics.mix(epoch) ^ step));
    float[] m = new float[n * width];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextDouble() < keep ? scale : 0f;
    }
    long[] shape = Objects.requireNonNull(ops.mask).shape().asArray().clone();
    shape[0] = n;
    return new FloatTensor(shape, m);
  }
}
