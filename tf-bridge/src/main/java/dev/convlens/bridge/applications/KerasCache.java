package dev.convlens.bridge.applications;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The folder where Keras keeps downloaded weight files, {@code <keras home>/models}, so files a
 * Python Keras already fetched are reused. The Keras home is {@code $KERAS_HOME}, else
 * {@code ~/.keras}; Keras falls back to {@code /tmp/.keras} when that is not writable, so
 * {@link #standard()} looks there too. Downloading is opt-in: {@link #resolve(WeightFile, boolean)}
 * touches the network only when asked to, and every file with a published MD5 is verified.
 */
public final class KerasCache {
  private static final Logger LOG = LogManager.getLogger(KerasCache.class);
  static final String HOME_PROPERTY = "keras.home";
  static final String HOME_ENV = "KERAS_HOME";
  static final Path TMP_FALLBACK = Path.of("/tmp", ".keras");

  private final List<Path> searchDirs;
  private final Path downloadDir;
  private final Downloader downloader;

  /** A cache whose Keras home is {@code kerasHome}: files are looked up in, and downloaded to, {@code kerasHome/models}. */
  public KerasCache(Path kerasHome) {
    this(List.of(modelsDir(Objects.requireNonNull(kerasHome, "kerasHome"))), modelsDir(kerasHome),
        new HttpDownloader());
  }

  KerasCache(List<Path> searchDirs, Path downloadDir, Downloader downloader) {
    this.searchDirs = List.copyOf(searchDirs);
    this.downloadDir = InvalidInputException.requireNonNull(downloadDir, "downloadDir");
    this.downloader = InvalidInputException.requireNonNull(downloader, "downloader");
  }

  /**
   * The cache Keras itself would use: home from the system property {@code keras.home}, else the
   * environment variable {@code KERAS_HOME}, else {@code ~/.keras}.
   */
  public static KerasCache standard() {
    return fromEnvironment(System::getProperty, System::getenv, Path.of(System.getProperty("user.home")),
        TMP_FALLBACK);
  }

  /** {@link #standard()} with its inputs injected, so tests need neither the real environment nor the real home. */
  static KerasCache fromEnvironment(UnaryOperator<@Nullable String> properties, UnaryOperator<@Nullable String> env, Path userHome,
      Path tmpFallback) {
    String configured = properties.apply(HOME_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = env.apply(HOME_ENV);
    }
    Path home = configured == null || configured.isBlank()
        ? userHome.resolve(".keras")
        : Path.of(expandTilde(configured, userHome));
    List<Path> search = new ArrayList<>(List.of(modelsDir(home)));
    if (!home.equals(tmpFallback)) {
      search.add(modelsDir(tmpFallback));
    }
    // Keras writes to /tmp/.keras when its home is not writable. Unlike Keras, a home that does not
    // exist yet but could be created counts as writable (Keras creates ~/.keras on import anyway).
    Path download = canWrite(home) ? modelsDir(home) : modelsDir(tmpFallback);
    return new KerasCache(search, download, new HttpDownloader());
  }

  /** The folders searched for cached files, in order. */
  public List<Path> searchDirectories() {
    return searchDirs;
  }

  /** The folder downloads go to. */
  public Path downloadDirectory() {
    return downloadDir;
  }

  /** The cached file of that name in the first search folder holding it, or empty. */
  public Optional<Path> find(String fileName) {
    if (fileName == null || fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")
        || fileName.equals(".") || fileName.equals("..")) {
      throw new ConvlensException("Keras cache: file name must be a plain file name, got '" + fileName + "'");
    }
    for (Path dir : searchDirs) {
      Path candidate = dir.resolve(fileName);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The local copy of {@code file}: the cached one, verified against its MD5 when Keras publishes
   * one; otherwise, only when {@code allowDownload}, a fresh download that is verified before it is
   * moved into the cache atomically (no half-written file is ever visible under the real name).
   *
   * @throws ConvlensException when the file is absent and downloading was not allowed, when a
   *     download fails, or when a file's MD5 differs from the published one (both hashes named)
   */
  public Path resolve(WeightFile file, boolean allowDownload) {
    Optional<Path> cached = find(file.fileName());
    if (cached.isPresent()) {
      verify(file, cached.get(), "cached file " + cached.get()
          + " is corrupt or incomplete; delete it and download it again");
      return cached.get();
    }
    if (!allowDownload) {
      throw new ConvlensException("Keras weight file '" + file.fileName() + "' is not in the Keras cache (looked in "
          + searchDirs.stream().map(Path::toString).collect(Collectors.joining(", "))
          + "). Downloading is opt-in: pass --download on the command line or allowDownload=true, "
          + "or save " + file.url() + " into " + downloadDir + " yourself.");
    }
    return download(file);
  }

  private Path download(WeightFile file) {
    Path target = downloadDir.resolve(file.fileName());
    try {
      LOG.info("Downloading {} to {}", file.url(), target);
      // Verified before it is moved into place: the cache never holds a partial or wrong file.
      AtomicFiles.write(target, partial -> {
        try {
          downloader.download(file.url(), partial);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("download of '" + file.fileName() + "' was interrupted");
        }
        verify(file, partial, "downloaded from " + file.url() + "; the download was discarded");
      });
      return target;
    } catch (IOException e) {
      throw new ConvlensException("could not download Keras weight file '" + file.fileName() + "' from "
          + file.url() + " to " + target + ": " + e.getMessage(), e);
    }
  }


  private static void verify(WeightFile file, Path path, String consequence) {
    if (!file.hasMd5()) {
      LOG.warn("Keras publishes no MD5 for {}; using {} without verifying it", file.fileName(), path);
      return;
    }
    String actual;
    try {
      actual = Md5.of(path);
    } catch (IOException e) {
      throw new ConvlensException("could not read " + path + " to verify its MD5: " + e.getMessage(), e);
    }
    if (!actual.equals(file.md5())) {
      throw new ConvlensException("MD5 mismatch for Keras weight file '" + file.fileName() + "' at " + path
          + ": expected " + file.md5() + ", got " + actual + " (" + consequence + ")");
    }
  }


  private static Path modelsDir(Path home) {
    return home.resolve("models");
  }

  private static String expandTilde(String path, Path userHome) {
    if (path.equals("~")) {
      return userHome.toString();
    }
    return path.startsWith("~/") ? userHome.resolve(path.substring(2)).toString() : path;
  }

  /** Writable if it exists and is writable, or if it does not exist and its nearest existing ancestor is writable. */
  private static boolean canWrite(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p != null && Files.isDirectory(p) && Files.isWritable(p);
  }
}
