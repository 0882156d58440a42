package dev.convlens.bridge.keras;

import dev.convlens.bridge.ModelFormatException;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.filter.PipelineFilterWithData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Bounds the decompression of a compressed (chunked, filtered) weight dataset before jhdf decodes
 * it: jhdf inflates each chunk without limit, so one chunk of a small file could inflate to
 * gigabytes even when the dataset's shape is right. Each chunk is inflated here first, counting,
 * and refused past the size its chunk shape allows. Keras itself never compresses weights (h5py
 * writes them contiguous); this is for other writers, and costs one extra inflate of such files.
 * Only filters whose output is bounded this way are read: deflate, shuffle and fletcher32.
 */
final class CompressedChunks {
  private static final int DEFLATE = 1;
  private static final Set<Integer> READ = Set.of(DEFLATE, 2, 3);

  private CompressedChunks() {}

  /** Refuses {@code d} when a filter is unknown or a chunk inflates past its size; {@code weight} names it. */
  static void check(ChunkedDataset d, Path file, String weight) {
    List<PipelineFilterWithData> filters = d.getFilters();
    for (PipelineFilterWithData f : filters) {
      if (!READ.contains(f.getId())) {
        throw new ModelFormatException(file, weight + " is compressed with filter '" + f.getName() + "' (id "
            + f.getId() + "); convlens reads deflate (gzip), shuffle and fletcher32 only, whose output it can bound");
      }
    }
    if (filters.stream().noneMatch(f -> f.getId() == DEFLATE)) {
      return;  // shuffle and fletcher32 never grow the data
    }
    int[] dims = d.getDimensions();
    int[] chunk = d.getChunkDimensions();
    long element = d.getDataType().getSize();
    long chunkBytes = element;
    for (int c : chunk) {
      chunkBytes = c <= 0 || chunkBytes > Long.MAX_VALUE / c ? -1 : chunkBytes * c;
      if (chunkBytes < 0) {
        break;
      }
    }
    // A chunk may overhang the dataset's edge, never by much more than the dataset itself.
    if (chunk.length != dims.length || chunkBytes < 0 || chunkBytes > 2 * d.getSizeInBytes() + (1 << 20)) {
      throw new ModelFormatException(file, weight + " has chunks of shape " + Arrays.toString(chunk)
          + ", far larger than its shape " + Arrays.toString(dims));
    }
    int[] offset = new int[dims.length];
    do {
      ByteBuffer raw;
      try {
        raw = d.getRawChunkBuffer(offset);
      } catch (RuntimeException missing) {
        continue;  // never written (the fill value), or corrupt: jhdf's own read reports that
      }
      if (inflated(raw, chunkBytes + 4) > chunkBytes + 4) {
        throw new ModelFormatException(file, weight + ": its compressed chunk at " + Arrays.toString(offset)
            + " inflates to more than the " + chunkBytes + " bytes a chunk of shape " + Arrays.toString(chunk)
            + " holds");
      }
    } while (next(offset, dims, chunk));
  }

  /** The bytes {@code raw} inflates to, counted up to just past {@code limit}. */
  private static long inflated(ByteBuffer raw, long limit) {
    byte[] in = new byte[raw.remaining()];
    raw.duplicate().get(in);
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(in);
      byte[] out = new byte[64 * 1024];
      long total = 0;
      while (!inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary() && total <= limit) {
        total += inflater.inflate(out);
      }
      return total;
    } catch (DataFormatException e) {
      return 0;  // not a deflate stream: jhdf's read reports it
    } finally {
      inflater.end();
    }
  }

  /** Advances {@code offset} to the next chunk of the grid (last axis fastest); false after the last. */
  private static boolean next(int[] offset, int[] dims, int[] chunk) {
    for (int axis = dims.length - 1; axis >= 0; axis--) {
      offset[axis] += chunk[axis];
      if (offset[axis] < dims[axis]) {
        return true;
      }
      offset[axis] = 0;
    }
    return false;
  }
}
