package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a {@code .keras} zip ({@code config.json}, {@code metadata.json}, {@code model.weights.h5})
 * within {@link LoadLimits}, so that a small zip inflating to gigabytes is refused while it inflates.
 *
 * <p>The weights entry is read in place (memory-mapped from the zip file) when stored uncompressed,
 * as Keras writes it: no copy, no heap. A compressed one is inflated to a temporary file ({@code convlens-keras-weights-*.h5},
 * unlinked as soon as it is open where the OS allows, else deleted when the load ends), never
 * longer than the HDF5 length its own superblock declares (plus {@link #TRAILER_MARGIN}), nor than
 * twice {@link LoadLimits#maxWeightBytes()} (weights may be float64) plus {@link
 * LoadLimits#maxConfigBytes()} (HDF5 structure and attributes). Each dataset's shape is then checked
 * against the layer's before its data is read ({@link WeightCheck}). The limit on the weights
 * entry is a bound rather than the sum of the layers' weight sizes because those are only known
 * while the graph is built, which needs the weights open.
 */
final class KerasZip {
  static final String CONFIG = "config.json";
  static final String METADATA = "metadata.json";
  static final String WEIGHTS = "model.weights.h5";
  /** Bytes allowed after the end an HDF5 superblock declares (h5py and jhdf write none; a writer may pad to a block). */
  static final long TRAILER_MARGIN = 64 * 1024;
  private static final String CONFIG_LIMIT = "LoadLimits.maxConfigBytes";
  private static final String WEIGHTS_LIMIT = "twice LoadLimits.maxWeightBytes plus maxConfigBytes";

  private final Path path;
  private final LoadLimits limits;

  private KerasZip(Path path, LoadLimits limits) {
    this.path = path;
    this.limits = limits;
  }

  static KerasArtifact read(Path path, LoadLimits limits) {
    return new KerasZip(path, limits).read();
  }

  private KerasArtifact read() {
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry config = zip.getEntry(CONFIG);
      if (config == null) {
        throw new ModelFormatException(path, "zip file without config.json: not a .keras model");
      }
      JsonNode json = ModelConfigParser.readJson(text(zip, config), path, CONFIG + " inside the zip");
      String version = "3";
      ZipEntry meta = zip.getEntry(METADATA);
      if (meta != null) {
        JsonNode m = ModelConfigParser.readJson(text(zip, meta), path, METADATA + " inside the zip");
        version = m.path("keras_version").asText(version);
      }
      ZipEntry weights = zip.getEntry(WEIGHTS);
      if (weights == null) {
        return new KerasArtifact(json, WeightSource.NONE, path, "Keras " + version + " .keras zip (no weights)");
      }
      ModelSpec spec = ModelConfigParser.parse(json, path);
      long max = maxWeightsEntry();
      if (weights.getSize() > max) {
        throw BoundedRead.tooLarge(path, WEIGHTS + " inside the zip", weights.getSize() + " bytes (declared)", max,
            WEIGHTS_LIMIT);
      }
      Path extracted = null;
      HdfFile h;
      boolean inPlace = weights.getMethod() == ZipEntry.STORED && weights.getSize() >= 0;
      if (inPlace) {
        h = inPlace(weights);
      } else {
        extracted = inflate(zip, weights, max);
        h = openExtracted(extracted);
        if (unlinked(extracted)) {
          extracted = null;  // its mapping keeps it readable; from here on nothing is left on disk, however the JVM ends
        }
      }
      try {
        return new KerasArtifact(json, new KerasZipWeights(h, extracted, inPlace, spec, path), path,
            "Keras " + version + " .keras zip");
      } catch (RuntimeException e) {
        h.close();
        throw e;
      }
    } catch (ZipException e) {
      throw new ModelFormatException(path, "corrupt or truncated zip: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private long maxWeightsEntry() {
    long w = limits.maxWeightBytes();
    long twice = w > (Long.MAX_VALUE - limits.maxConfigBytes()) / 2 ? Long.MAX_VALUE / 2 : 2 * w;
    return twice + limits.maxConfigBytes();
  }

  private byte[] text(ZipFile zip, ZipEntry entry) {
    String what = entry.getName() + " inside the zip";
    if (entry.getSize() > limits.maxConfigBytes()) {
      throw BoundedRead.tooLarge(path, what, entry.getSize() + " bytes (declared)", limits.maxConfigBytes(),
          CONFIG_LIMIT);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return BoundedRead.stream(in, path, limits.maxConfigBytes(), what, CONFIG_LIMIT);
    } catch (IOException e) {
      throw new ModelFormatException(path, "corrupt or truncated zip: cannot inflate " + entry.getName() + ": "
          + e.getMessage(), e);
    }
  }

  /** A stored entry, read from the zip file itself. */
  private HdfFile inPlace(ZipEntry weights) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    long offset;
    try {
      offset = StoredEntry.dataOffset(path, channel, weights);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return open(channel, offset, weights.getSize());
  }

  /**
   * Inflates the weights entry to a temporary file, counting the bytes as they come: no more than
   * {@code max}, nor than the HDF5 length the entry's first bytes declare (plus the margin).
   */
  private Path inflate(ZipFile zip, ZipEntry weights, long max) throws IOException {
    Path tmp = Files.createTempFile("convlens-keras-weights-", ".h5");
    try (InputStream in = zip.getInputStream(weights); OutputStream out = Files.newOutputStream(tmp)) {
      byte[] head = in.readNBytes(64);
      long declared = Hdf5.declaredLength(head);
      if (declared < 0) {
        throw new ModelFormatException(path, WEIGHTS + " inside the zip does not start with an HDF5 superblock");
      }
      if (declared > max) {
        throw BoundedRead.tooLarge(path, WEIGHTS + " inside the zip", declared + " bytes (its HDF5 superblock says)",
            max, WEIGHTS_LIMIT);
      }
      long allowed = declared + TRAILER_MARGIN;
      out.write(head);
      long total = head.length;
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
        if (total > allowed) {
          throw new ModelFormatException(path, WEIGHTS + " inside the zip inflates to more than " + allowed
              + " bytes, past the " + declared + " its HDF5 superblock declares: padded or corrupt");
        }
        out.write(buffer, 0, n);
      }
      tmp.toFile().deleteOnExit();
      return tmp;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      if (e instanceof ZipException z) {
        throw new ModelFormatException(path, "corrupt or truncated zip: cannot inflate " + WEIGHTS + ": "
            + z.getMessage(), z);
      }
      throw e;
    }
  }

  /** Opens the inflated copy, deleting it on failure. */
  private HdfFile openExtracted(Path tmp) throws IOException {
    try {
      FileChannel channel = FileChannel.open(tmp, StandardOpenOption.READ);
      return open(channel, 0, channel.size());
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Deletes an open file where the OS allows it (POSIX); false where it must wait for close (Windows). */
  private static boolean unlinked(Path tmp) {
    try {
      Files.delete(tmp);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The HDF5 file in a window of {@code channel} (closed on failure), checked for truncation and trailing bytes. */
  private HdfFile open(FileChannel channel, long offset, long size) throws IOException {
    HdfFile h = Hdf5.open(channel, offset, size, path, WEIGHTS + " inside the zip: ");
    long declared = h.getHdfBackingStorage().getSuperblock().getBaseAddressByte()
        + h.getHdfBackingStorage().getSuperblock().getEndOfFileAddress();
    if (size > declared + TRAILER_MARGIN) {
      h.close();
      throw new ModelFormatException(path, WEIGHTS + " inside the zip holds " + size + " bytes, " + (size - declared)
          + " more than the " + declared + " its HDF5 superblock declares: padded or corrupt");
    }
    return h;
  }
}
