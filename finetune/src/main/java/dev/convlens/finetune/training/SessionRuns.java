package dev.convlens.finetune.training;

import dev.convlens.bridge.FloatArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/** One session run with Java arrays in and out: every tensor and result is closed before returning. */
final class SessionRuns {
  private SessionRuns() {}

  static List<FloatArray> run(Session session, Map<Operand<TFloat32>, FloatArray> feeds,
      List<Operand<TFloat32>> fetches, Op target) {
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (var e : feeds.entrySet()) {
        FloatArray a = e.getValue();
        TFloat32 t = TFloat32.tensorOf(Shape.of(a.shape()), DataBuffers.of(a.data(), true, false));
        inputs.add(t);
        runner.feed(e.getKey(), t);
      }
      fetches.forEach(runner::fetch);
      if (target != null) {
        runner.addTarget(target);
      }
      try (Result r = runner.run()) {
        List<FloatArray> out = new ArrayList<>(fetches.size());
        for (int i = 0; i < fetches.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] data = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(data, false, false));
          out.add(new FloatArray(t.shape().asArray(), data));
        }
        return out;
      }
    } finally {
      inputs.forEach(Tensor::close);
    }
  }
}
