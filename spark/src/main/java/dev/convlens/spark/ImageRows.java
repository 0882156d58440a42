package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.InputImage;
import java.awt.image.BufferedImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;

/**
 * Reads a row's image: encoded bytes (a binary column, as Spark's {@code binaryFile} gives), or
 * Spark's {@code image} struct (decoded bytes in OpenCV's BGR order, row-major).
 */
final class ImageRows {
  private ImageRows() {}

  /** Whether {@code type} is a column {@link #read} takes. */
  static boolean readable(DataType type) {
    return type instanceof BinaryType || isImageStruct(type);
  }

  static InputImage read(Row row, int field) {
    if (row.isNullAt(field)) {
      throw new InvalidInputException("the image column is null");
    }
    Object value = row.get(field);
    if (value instanceof byte[] bytes) {
      return InputImage.of(bytes);
    }
    return InputImage.of(fromImageStruct((Row) value));
  }

  /** The image struct's {@code origin} (its file), for messages; null for binary columns. */
  static @Nullable String origin(Row row, int field) {
    if (row.isNullAt(field) || !(row.get(field) instanceof Row image)) {
      return null;
    }
    int i = java.util.Arrays.asList(image.schema().fieldNames()).indexOf("origin");
    return i >= 0 && !image.isNullAt(i) ? image.getString(i) : null;
  }

  private static boolean isImageStruct(DataType type) {
    if (!(type instanceof StructType s)) {
      return false;
    }
    java.util.Set<String> names = java.util.Set.of(s.fieldNames());
    return names.containsAll(java.util.List.of("height", "width", "nChannels", "data"));
  }

  /** Spark's image struct ({@code ImageSchema}): height, width, nChannels 1/3/4 (gray, BGR, BGRA), data. */
  private static BufferedImage fromImageStruct(Row image) {
    int h = image.getInt(image.fieldIndex("height"));
    int w = image.getInt(image.fieldIndex("width"));
    int c = image.getInt(image.fieldIndex("nChannels"));
    byte[] data = (byte[]) image.get(image.fieldIndex("data"));
    if (h < 1 || w < 1 || (c != 1 && c != 3 && c != 4) || data == null || (long) h * w * c != data.length) {
      throw new InvalidInputException("an image struct of " + h + "x" + w + "x" + c + " with "
          + (data == null ? "no" : Integer.toString(data.length)) + " data bytes; expected height*width*nChannels"
          + " bytes with 1, 3 or 4 channels (as Spark's image source writes)");
    }
    BufferedImage out = new BufferedImage(w, h, c == 4 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    int[] argb = new int[w * h];
    for (int p = 0, i = 0; p < argb.length; p++, i += c) {
      int b = data[i] & 0xff;
      int g = c == 1 ? b : data[i + 1] & 0xff;
      int r = c == 1 ? b : data[i + 2] & 0xff;
      int a = c == 4 ? data[i + 3] & 0xff : 0xff;
      argb[p] = a << 24 | r << 16 | g << 8 | b;
    }
    out.setRGB(0, 0, w, h, argb, 0, w);
    return out;
  }
}
