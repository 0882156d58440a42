package dev.convlens.finetune.data;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ColorMode;
import dev.convlens.bridge.image.KerasImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Labelled images from a folder with one sub-folder per class, as Keras'
 * {@code image_dataset_from_directory} reads it: classes are the sub-folder names sorted
 * alphabetically (index = position), images are found recursively with the extensions Keras accepts
 * ({@code .bmp .gif .jpeg .jpg .png}), each resized to the target size with PIL-nearest like
 * {@code load_img}. Other files and files that cannot be decoded are reported through the
 * callback (and the log) and skipped.
 *
 * <p>Every image is decoded once, when the dataset is made, and kept resized as 8-bit RGB
 * ({@code H*W*3} bytes each: 2000 images at 150x150 take 135 MB); batches are made from those
 * bytes, augmented (per epoch and sample, from the seed) and preprocessed. Immutable and safe to
 * read from several threads.
 */
public final class ImageDataset {
  private static final Logger LOG = LogManager.getLogger(ImageDataset.class);
  /** Keras' {@code ALLOWLIST_FORMATS}, compared lower-case. */
  static final Set<String> IMAGE_EXTENSIONS = Set.of(".bmp", ".gif", ".jpeg", ".jpg", ".png");

  private final Path directory;
  private final DatasetOptions options;
  private final List<String> classNames;
  private final List<Path> files;
  private final int[] classes;
  private final byte[][] pixels;
  private final List<SkippedFile> skipped;

  private ImageDataset(Path directory, DatasetOptions options, List<String> classNames, List<Path> files, int[] classes,
      byte[][] pixels, List<SkippedFile> skipped) {
    this.directory = directory;
    this.options = options;
    this.classNames = classNames;
    this.files = files;
    this.classes = classes;
    this.pixels = pixels;
    this.skipped = skipped;
  }

  /** Reads {@code directory}; skipped files are logged as warnings. */
  public static ImageDataset fromDirectory(Path directory, DatasetOptions options) {
    return fromDirectory(directory, options, s -> { });
  }

  /**
   * Reads {@code directory}, reporting each skipped file to {@code onSkipped} (and the log).
   *
   * @throws InvalidInputException when the folder is missing, has no class sub-folders or no
   *     readable image, or binary labels are asked for with other than two classes
   */
  public static ImageDataset fromDirectory(Path directory, DatasetOptions options, Consumer<SkippedFile> onSkipped) {
    if (directory == null || !Files.isDirectory(directory)) {
      throw new InvalidInputException("dataset folder " + directory + " does not exist or is not a directory");
    }
    List<Path> classDirs;
    try (Stream<Path> s = Files.list(directory)) {
      classDirs = s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new InvalidInputException("cannot list dataset folder " + directory + ": " + e.getMessage());
    }
    if (classDirs.isEmpty()) {
      throw new InvalidInputException("dataset folder " + directory
          + " has no class sub-folders (expected one folder per class, e.g. cats/ and dogs/)");
    }
    if (options.labelMode() == LabelMode.BINARY && classDirs.size() != 2) {
      throw new InvalidInputException("binary labels need exactly 2 class folders in " + directory + ", found "
          + classDirs.size() + ": " + classDirs.stream().map(p -> p.getFileName().toString()).toList()
          + " (use categorical labels)");
    }
    List<SkippedFile> skipped = Collections.synchronizedList(new ArrayList<>());
    List<Path> candidates = new ArrayList<>();
    List<Integer> candidateClasses = new ArrayList<>();
    for (int c = 0; c < classDirs.size(); c++) {
      for (Path f : listFiles(classDirs.get(c))) {
        if (isImageName(f)) {
          candidates.add(f);
          candidateClasses.add(c);
        } else {
          skipped.add(new SkippedFile(f, "not an image file (Keras reads " + IMAGE_EXTENSIONS.stream().sorted().toList() + ")"));
        }
      }
    }
    byte[][] decoded = new byte[candidates.size()][];
    IntStream.range(0, candidates.size()).parallel().forEach(i -> {
      try {
        decoded[i] = toBytes(KerasImages.loadImg(candidates.get(i), options.height(), options.width(), ColorMode.RGB));
      } catch (RuntimeException e) {
        skipped.add(new SkippedFile(candidates.get(i), "unreadable: " + e.getMessage()));
      }
    });
    List<Path> files = new ArrayList<>();
    List<byte[]> pixels = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (decoded[i] != null) {
        files.add(candidates.get(i));
        pixels.add(decoded[i]);
        classes.add(candidateClasses.get(i));
      }
    }
    List<SkippedFile> sortedSkips = skipped.stream().sorted((a, b) -> a.file().compareTo(b.file())).toList();
    for (SkippedFile s : sortedSkips) {
      LOG.warn("skipping {}", s);
      onSkipped.accept(s);
    }
    if (files.isEmpty()) {
      throw new InvalidInputException("dataset folder " + directory + " holds no readable image in "
          + classDirs.stream().map(p -> p.getFileName().toString()).toList());
    }
    List<String> names = classDirs.stream().map(p -> p.getFileName().toString()).toList();
    LOG.debug("{}: {} images in {} classes {}, {} skipped", directory, files.size(), names.size(), names, sortedSkips.size());
    return new ImageDataset(directory, options, names, List.copyOf(files), classes.stream().mapToInt(Integer::intValue).toArray(),
        pixels.toArray(byte[][]::new), sortedSkips);
  }

  /**
   * Images made in memory (e.g. generated), image {@code i} of class {@code classes[i]}; each is
   * {@code [height, width, 3]} at the options' size with values 0..255 (rounded to 8 bits, as
   * decoded files are). {@link #files()} names them {@code <class>/<index>} under {@code memory:}.
   *
   * @throws InvalidInputException when a class index or an image shape does not fit
   */
  public static ImageDataset fromImages(List<String> classNames, int[] classes, IntFunction<FloatTensor> images,
      DatasetOptions options) {
    if (classNames == null || classNames.isEmpty() || classes == null || classes.length == 0) {
      throw new InvalidInputException("an in-memory dataset needs class names and at least one image");
    }
    if (options.labelMode() == LabelMode.BINARY && classNames.size() != 2) {
      throw new InvalidInputException("binary labels need exactly 2 classes, got " + classNames);
    }
    for (int c : classes) {
      if (c < 0 || c >= classNames.size()) {
        throw new InvalidInputException("class index " + c + " is outside 0.." + (classNames.size() - 1));
      }
    }
    long[] expected = {options.height(), options.width(), 3};
    byte[][] pixels = new byte[classes.length][];
    IntStream.range(0, classes.length).parallel().forEach(i -> {
      FloatTensor x = images.apply(i);
      if (!java.util.Arrays.equals(x.shape(), expected)) {
        throw new InvalidInputException("in-memory image " + i + " has shape " + java.util.Arrays.toString(x.shape())
            + ", expected " + java.util.Arrays.toString(expected));
      }
      pixels[i] = toBytes(x);
    });
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < classes.length; i++) {
      files.add(Path.of(classNames.get(classes[i]), String.format(Locale.ROOT, "%06d", i)));
    }
    return new ImageDataset(Path.of("memory:"), options, List.copyOf(classNames), List.copyOf(files), classes.clone(),
        pixels, List.of());
  }

  private static List<Path> listFiles(Path classDir) {
    try (Stream<Path> s = Files.walk(classDir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidInputException("cannot list class folder " + classDir + ": " + e.getMessage());
    }
  }

  static boolean isImageName(Path f) {
    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot >= 0 && IMAGE_EXTENSIONS.contains(n.substring(dot));
  }

  private static byte[] toBytes(FloatTensor hwc) {
    float[] d = hwc.data();
    byte[] b = new byte[d.length];
    for (int i = 0; i < d.length; i++) {
      b[i] = (byte) Math.round(Math.max(0f, Math.min(255f, d[i])));
    }
    return b;
  }

  /** The same images with other batching, shuffling, labels, augmentation or preprocessing (same target size). */
  public ImageDataset withOptions(DatasetOptions other) {
    if (other.height() != options.height() || other.width() != options.width()) {
      throw new InvalidInputException("withOptions keeps the decoded " + options.height() + "x" + options.width()
          + " images; read the folder again for " + other.height() + "x" + other.width());
    }
    if (other.labelMode() == LabelMode.BINARY && classNames.size() != 2) {
      throw new InvalidInputException("binary labels need exactly 2 classes, " + directory + " has " + classNames);
    }
    return new ImageDataset(directory, other, classNames, files, classes, pixels, skipped);
  }

  public Path directory() {
    return directory;
  }

  public DatasetOptions options() {
    return options;
  }

  /** Class names in label order (sorted sub-folder names). */
  public List<String> classNames() {
    return classNames;
  }

  public int size() {
    return files.size();
  }

  /** The image files in dataset order (class by class, sorted). */
  public List<Path> files() {
    return files;
  }

  public int classOf(int index) {
    return classes[index];
  }

  public List<SkippedFile> skipped() {
    return skipped;
  }

  public int batchesPerEpoch() {
    return (size() + options.batchSize() - 1) / options.batchSize();
  }

  /** The sample indices of every batch of {@code epoch}: shuffled from (seed, epoch) when shuffling is on. */
  public List<int[]> batchIndices(int epoch) {
    int[] order = IntStream.range(0, size()).toArray();
    if (options.shuffle()) {
      SplittableRandom r = new SplittableRandom(mix(options.seed() ^ mix(epoch + 1L)));
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < order.length; from += options.batchSize()) {
      out.add(java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + options.batchSize())));
    }
    return out;
  }

  /** Every batch of {@code epoch}, made lazily. */
  public Iterable<Batch> batches(int epoch) {
    List<int[]> indices = batchIndices(epoch);
    return () -> indices.stream().map(i -> batch(i, epoch)).iterator();
  }

  /** The batch of these samples in {@code epoch} (augmentation depends on the epoch), built in parallel. */
  public Batch batch(int[] indices, int epoch) {
    List<FloatTensor> images = IntStream.range(0, indices.length).parallel()
        .mapToObj(k -> image(indices[k], epoch)).toList();
    return new Batch(FloatTensor.stack(images), labels(indices), indices.clone());
  }

  /** Sample {@code index} as the model sees it in {@code epoch}: decoded, augmented, preprocessed, {@code [H, W, 3]}. */
  public FloatTensor image(int index, int epoch) {
    byte[] b = pixels[index];
    float[] f = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      f[i] = b[i] & 0xff;
    }
    FloatTensor x = new FloatTensor(new long[] {options.height(), options.width(), 3}, f);
    Augmentation a = options.augmentation();
    if (!a.isIdentity()) {
      x = a.apply(x, mix(mix(options.seed() ^ 0x5DEECE66DL) ^ mix(epoch + 1L) ^ index));
    }
    return options.preprocessing().apply(x);
  }

  /** Labels {@code [n, width]} of these samples (0/1, or one-hot). */
  public FloatTensor labels(int[] indices) {
    int width = options.labelMode().width(classNames.size());
    float[] y = new float[indices.length * width];
    for (int k = 0; k < indices.length; k++) {
      int c = classes[indices[k]];
      if (options.labelMode() == LabelMode.BINARY) {
        y[k] = c;
      } else {
        y[k * width + c] = 1f;
      }
    }
    return new FloatTensor(new long[] {indices.length, width}, y);
  }

  /** SplitMix64's finaliser: spreads nearby seeds (epoch 1, 2, ...) over unrelated streams. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
