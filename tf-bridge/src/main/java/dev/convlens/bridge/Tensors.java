package dev.convlens.bridge;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Copies between Java arrays and float32 tensors. Bulk copies write the raw tensor memory. The
 * NdArray path ({@code tensorOf(shape, DataBuffers.of(array))}, {@code copyTo}) was documented as
 * copying element by element, about 50x slower; it is kept only so that {@code bench finetune} can
 * measure the two side by side (where {@code sun.misc.Unsafe} is available, ndarray 1.0 turns it
 * into a raw copy too, and the measured difference is within noise).
 */
final class Tensors {
  private Tensors() {}

  static TFloat32 toTensor(FloatTensor a, boolean bulk) {
    if (!bulk) {
      return TFloat32.tensorOf(Shape.of(a.shape()), DataBuffers.of(a.data(), true, false));
    }
    TFloat32 t = TFloat32.tensorOf(Shape.of(a.shape()));
    t.asRawTensor().data().asFloats().write(a.data());
    return t;
  }

  static FloatTensor fromTensor(TFloat32 t, boolean bulk) {
    float[] data = new float[Math.toIntExact(t.size())];
    if (bulk) {
      t.asRawTensor().data().asFloats().read(data);
    } else {
      t.copyTo(DataBuffers.of(data, false, false));
    }
    return new FloatTensor(t.shape().asArray(), data);
  }
}
