package dev.convlens.bridge.graph;

import dev.convlens.bridge.FloatTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's own kernels run directly, where they are the reference: the loader builds area
 * resizing from matrices (ResizeArea has no gradient), so TF's ResizeArea checks it.
 */
final class TfReference {
  private TfReference() {}

  static FloatTensor resizeArea(FloatTensor x, int height, int width) {
    try (Graph g = new Graph(); Session s = new Session(g);
         TFloat32 in = TFloat32.tensorOf(Shape.of(x.shape()), DataBuffers.of(x.data(), true, false))) {
      Ops tf = Ops.create(g);
      var y = tf.image.resizeArea(tf.constant(in), tf.constant(new int[] {height, width}));
      try (TFloat32 out = (TFloat32) s.runner().fetch(y).run().get(0)) {
        float[] data = new float[(int) out.shape().size()];
        out.asRawTensor().data().asFloats().read(data);
        return new FloatTensor(out.shape().asArray(), data);
      }
    }
  }
}
