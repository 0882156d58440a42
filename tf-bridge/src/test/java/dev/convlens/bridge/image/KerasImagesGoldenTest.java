package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.io.Npy;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The whole Keras loading pipeline against the oracle's golden inputs (golden/README.md §4.1, §4.2). */
class KerasImagesGoldenTest {

  @Test
  void nearestIndicesMatchPillowForEveryGoldenCase() {
    List<String> cases = GoldenImages.imageCases();
    assertEquals(20, cases.size(), "4 models x 5 images: " + cases);
    boolean naiveDiffers = false;
    for (String c : cases) {
      JsonNode in = GoldenImages.caseJson(c).path("input");
      int srcW = in.path("decoded_size_wh").get(0).asInt();
      int srcH = in.path("decoded_size_wh").get(1).asInt();
      int dstH = in.path("target_size_hw").get(0).asInt();
      int dstW = in.path("target_size_hw").get(1).asInt();
      int[] rows = GoldenImages.ints(in.path("nearest_row_indices"));
      int[] cols = GoldenImages.ints(in.path("nearest_col_indices"));
      assertArrayEquals(rows, KerasImages.nearestIndices(srcH, dstH), c + " rows");
      assertArrayEquals(cols, KerasImages.nearestIndices(srcW, dstW), c + " cols");
      naiveDiffers |= !java.util.Arrays.equals(cols, naive(srcW, dstW)) || !java.util.Arrays.equals(rows, naive(srcH, dstH));
    }
    assertTrue(naiveDiffers, "some golden size pair should tell Pillow's rule from floor((i+0.5)*src/dst)");
  }

  @Test
  void catDogPngPipelineIsExactForEveryModel() throws Exception {
    Path png = GoldenImages.sharedData().resolve("images/gradcam/cat_dog.png");
    String decoded = GoldenImages.caseJson("A_mobilenet__catdog").path("input").path("decoded_rgb_uint8_sha256").asText();
    assertEquals(decoded, rgbSha256(KerasImages.loadImg(png)), "lossless PNG decodes to Pillow's bytes");
    for (String model : List.of("A_mobilenet", "B_convnet_aug", "C_cnd_small", "E_vgg16syn")) {
      assertEquals(0.0, compare(model + "__catdog", png).maxAbs(), model + "__catdog must be bit-exact");
    }
  }

  /**
   * JPEGs: javax.imageio (the JDK's libjpeg 6b) versus Pillow's libjpeg-turbo (islow DCT, fancy
   * upsampling). Where the decoded bytes hash to the golden sha256 the whole pipeline must be
   * bit-exact; otherwise (another JDK's decoder) it must agree within 3 grey levels on average.
   * The measured differences are printed.
   */
  @Test
  void jpegPipelineMatchesGolden() throws Exception {
    Path data = GoldenImages.sharedData();
    StringBuilder report = new StringBuilder("JPEG pipeline vs golden input.npy (javax.imageio vs Pillow/libjpeg-turbo):\n");
    for (String img : List.of("elephant899", "elephant525", "cat1700", "dog1500")) {
      JsonNode in = GoldenImages.caseJson("B_convnet_aug__" + img).path("input");
      Path file = data.resolve(in.path("path").asText());
      boolean bitExact = in.path("decoded_rgb_uint8_sha256").asText().equals(rgbSha256(KerasImages.loadImg(file)));
      report.append(String.format(Locale.ROOT, "  %-12s decoded RGB sha256 %s%n", img, bitExact ? "matches" : "DIFFERS"));
      for (String model : List.of("A_mobilenet", "B_convnet_aug", "C_cnd_small", "E_vgg16syn")) {
        Diff d = compare(model + "__" + img, file);
        report.append(String.format(Locale.ROOT, "    %-14s mean |diff| %.4f, max %.4f grey levels, %d values differ%n",
            model, d.meanAbs(), d.maxAbs(), d.differing()));
        if (bitExact) {
          assertEquals(0.0, d.maxAbs(), model + "__" + img + " must be bit-exact when decoding is");
        } else {
          assertTrue(d.meanAbs() < 3, model + "__" + img + ": mean abs difference " + d.meanAbs() + " grey levels");
        }
      }
    }
    System.out.print(report);
  }

  private record Diff(double meanAbs, double maxAbs, int differing) {}

  /** Loads, resizes and preprocesses like the case, and measures the difference to its golden input in grey levels. */
  private static Diff compare(String caseName, Path image) {
    JsonNode in = GoldenImages.caseJson(caseName).path("input");
    int h = in.path("target_size_hw").get(0).asInt();
    int w = in.path("target_size_hw").get(1).asInt();
    Preprocessing p;
    double greyLevel; // one grey level in the preprocessed units
    switch (caseName.substring(0, 1)) {
      case "A" -> { p = Preprocessing.TF; greyLevel = 1 / 127.5; }
      case "B" -> { p = Preprocessing.NONE; greyLevel = 1; }
      case "C" -> { p = Preprocessing.RESCALE_1_255; greyLevel = 1 / 255.0; }
      default -> { p = Preprocessing.CAFFE; greyLevel = 1; }
    }
    FloatTensor golden = Npy.read(GoldenImages.golden(caseName + "_input.npy")).slice(0);
    FloatTensor ours = p.apply(KerasImages.loadImg(image, h, w));
    assertArrayEquals(golden.shape(), ours.shape(), caseName);
    double sum = 0;
    double max = 0;
    int differing = 0;
    for (int i = 0; i < ours.data().length; i++) {
      double d = Math.abs(ours.data()[i] - golden.data()[i]) / greyLevel;
      sum += d;
      max = Math.max(max, d);
      differing += d > 0 ? 1 : 0;
    }
    return new Diff(sum / ours.data().length, max, differing);
  }

  private static int[] naive(int src, int dst) {
    int[] idx = new int[dst];
    for (int i = 0; i < dst; i++) {
      idx[i] = (int) Math.floor((i + 0.5) * src / dst);
    }
    return idx;
  }

  /** sha256 of the HWC uint8 bytes, as the oracle hashed {@code np.asarray(img.convert("RGB"))}. */
  static String rgbSha256(FloatTensor hwc) throws Exception {
    byte[] bytes = new byte[hwc.data().length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (int) hwc.data()[i];
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
