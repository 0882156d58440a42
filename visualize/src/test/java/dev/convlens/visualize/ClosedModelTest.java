package dev.convlens.visualize;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelClosedException;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.GuidedBackprop;
import dev.convlens.visualize.filters.FilterOptions;
import dev.convlens.visualize.filters.FilterVisualizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** After {@code close()}, every entry point of visualize fails with ModelClosedException, nothing else. */
class ClosedModelTest {
  @Test
  void everyEntryPointThrowsModelClosedException() {
    KerasModelFixture f = FixtureBuilder.functional("closing").seed(3).input("image", 8, 8, 3)
        .conv2d("c1", 4, 3, "same", "relu").conv2d("c2", 4, 3, "same", "relu").globalAvgPool("gap")
        .dense("probs", 3, "softmax").build();
    KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
    FloatTensor x = FloatTensor.of(new float[8 * 8 * 3], 8, 8, 3);
    CamExplainer gradCam = CamExplainer.of(m);
    CamExplainer scoreCam = CamExplainer.of(m, CamOptions.defaults().withMethod(CamMethod.SCORE_CAM));
    GuidedBackprop guided = GuidedBackprop.of(m);
    FilterVisualizer filters = FilterVisualizer.of(m, "c1");
    gradCam.explain(x);
    m.close();

    assertThrows(ModelClosedException.class, () -> CamExplainer.of(m));
    assertThrows(ModelClosedException.class, () -> CamExplainer.of(m, CamOptions.defaults().withLayer("c1")));
    assertThrows(ModelClosedException.class, () -> gradCam.explain(x));
    assertThrows(ModelClosedException.class, () -> gradCam.explainClasses(x, 0, 1));
    assertThrows(ModelClosedException.class, () -> scoreCam.explain(x));
    assertThrows(ModelClosedException.class, () -> GuidedBackprop.of(m));
    assertThrows(ModelClosedException.class, () -> guided.gradients(x, (int[]) null));
    assertThrows(ModelClosedException.class, () -> FilterVisualizer.of(m, "c2"));
    assertThrows(ModelClosedException.class, () -> filters.run(0, FilterOptions.defaults().withSteps(1)));
    assertThrows(ModelClosedException.class, () -> filters.prepare(FilterOptions.defaults().withPreActivation(true)));
    assertThrows(ModelClosedException.class, () -> Activations.fetch(m, x));
    assertThrows(ModelClosedException.class, () -> Activations.fetch(m, x, List.of("c1")));
    assertThrows(ModelClosedException.class, () -> Activations.convAndPoolLayers(m));
    assertThrows(ModelClosedException.class, () -> Activations.firstLayers(m, 1));
  }
}
