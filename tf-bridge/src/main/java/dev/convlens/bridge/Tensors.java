package dev.convlens.bridge;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Copies between Java arrays and float32 tensors. Bulk copies go through the raw tensor memory;
 * the NdArray path ({@code tensorOf(shape, DataBuffers.of(array))}, {@code copyTo}) copies element by
 * element, about 50x slower (7 s for VGG16's fc1 kernel), and is kept only for the benchmark.
 */
final class Tensors {
  private Tensors() {}

  static TFloat32 toTensor(FloatArray a, boolean bulk) {
    if (!bulk) {
      return TFloat32.tensorOf(Shape.of(a.shape()), DataBuffers.of(a.data(), true, false));
    }
    TFloat32 t = TFloat32.tensorOf(Shape.of(a.shape()));
    t.asRawTensor().data().asFloats().write(a.data());
    return t;
  }

  static FloatArray fromTensor(TFloat32 t, boolean bulk) {
    float[] data = new float[Math.toIntExact(t.size())];
    if (bulk) {
      t.asRawTensor().data().asFloats().read(data);
    } else {
      t.copyTo(DataBuffers.of(data, false, false));
    }
    return new FloatArray(t.shape().asArray(), data);
  }
}
