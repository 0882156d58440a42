package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every method by name, through one call, gives what its own API gives. */
class AttributorTest {
  @Test
  void namesParseToTheirMethodsAndUnknownOnesListTheChoices() {
    assertSame(CamMethod.GRAD_CAM, AttributionMethod.parse("gradcam-logit"));
    assertSame(CamMethod.GRAD_CAM_BOOK, AttributionMethod.parse("GRADCAM-BOOK"));
    assertSame(InputMethod.INTEGRATED_GRADIENTS, AttributionMethod.parse("ig"));
    assertSame(InputMethod.SALIENCY, AttributionMethod.parse("SALIENCY"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> AttributionMethod.parse("gradcam3"));
    assertTrue(e.getMessage().contains("gradcam3") && e.getMessage().contains("ig"), e.getMessage());
    assertEquals(AttributionMethod.all().size(), AttributionMethod.all().stream().map(AttributionMethod::cliName).distinct().count());
  }

  @Test
  void everyMethodThroughTheAttributorEqualsItsOwnApi() {
    var f = FixtureBuilder.functional("attr").seed(41)
        .input("image", 8, 8, 3)
        .conv2d("conv1", 4, 3, "same", "relu")
        .conv2d("conv2", 5, 3, "same", "relu")
        .globalAvgPool("gap")
        .dense("dense", 3, "softmax")
        .build();
    try (KerasModel model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      Random r = new Random(3);
      float[] d = new float[2 * 8 * 8 * 3];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) r.nextGaussian();
      }
      FloatTensor x = FloatTensor.of(d, 2, 8, 8, 3);
      List<Target> targets = List.of(Target.classIndex(1), Target.topClass());
      for (AttributionMethod m : AttributionMethod.all()) {
        List<Heatmap> maps = Attributor.of(model, m).explain(x, targets);
        assertEquals(2, maps.size(), m.cliName());
        for (Heatmap h : maps) {
          for (float v : h.normalized().data()) {
            assertTrue(v >= 0 && v <= 1 && !Float.isNaN(v), m + ": " + v);
          }
        }
        if (m instanceof CamMethod c) {
          List<Heatmap> own = CamExplainer.of(model, CamOptions.defaults().withMethod(c)).explain(x, targets);
          assertArrayEquals(own.get(0).raw().data(), maps.get(0).raw().data(), 0f, m.cliName());
        }
      }
      InputAttribution attr = InputAttribution.of(model);
      Heatmap s = Attributor.of(model, InputMethod.SALIENCY).explain(x, targets).get(0);
      assertArrayEquals(attr.saliency(x.slice(0), AttributionOptions.defaults().withClassIndex(1)).map().data(), s.raw().data(), 0f);
      assertEquals(1, s.classIndex());
      assertEquals(model.predict(x).data()[1], s.probability(), 1e-6);
      assertEquals(List.of(8L, 8L), List.of(s.raw().dim(0), s.raw().dim(1)), "input-space maps are at the input's size");
      FloatTensor ig = attr.integratedGradients(x.slice(1), AttributionOptions.defaults()).attributions();
      float[] summed = new float[64];
      for (int i = 0; i < ig.data().length; i++) {
        summed[i / 3] += ig.data()[i];
      }
      assertArrayEquals(summed, Attributor.of(model, InputMethod.INTEGRATED_GRADIENTS).explain(x, targets).get(1).raw().data(),
          1e-6f, "IG: attributions summed over the channels");
      assertEquals(Attributor.INPUT, Attributor.of(model, InputMethod.GUIDED).layer());
      Heatmap guided = Attributor.of(model, InputMethod.GUIDED).explain(x.slice(0), List.of(Target.logit(2))).get(0);
      float[] g = GuidedBackprop.of(model).gradients(x.slice(0), new int[] {2}).data();
      float[] expected = new float[64];
      for (int i = 0; i < g.length; i++) {
        expected[i / 3] = Math.max(expected[i / 3], Math.abs(g[i]));
      }
      assertArrayEquals(expected, guided.raw().data(), 0f, "guided: the largest |guided gradient| over the channels");
      float[] logits = model.graph().newRun().feedInput(x).fetch(model.graph().layer("dense").preActivation()).run().get(0)
          .data();
      assertEquals(logits[2], guided.score(), 1e-5, "guided: the logit it explains");
      assertArrayEquals(attr.smoothGrad(x.slice(0), AttributionOptions.defaults().withClassIndex(1)).map().data(),
          Attributor.of(model, InputMethod.SMOOTHGRAD).explain(x, targets).get(0).raw().data(), 0f, "SmoothGrad's map");
      assertArrayEquals(attr.occlusion(x.slice(1), AttributionOptions.defaults()).map().data(),
          Attributor.of(model, InputMethod.OCCLUSION).explain(x, targets).get(1).raw().data(), 0f, "occlusion's map");
    }
  }
}
