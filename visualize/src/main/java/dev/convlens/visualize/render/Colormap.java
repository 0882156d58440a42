package dev.convlens.visualize.render;

import dev.convlens.bridge.ConvlensException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * 256-entry colormaps as matplotlib defines them (tables generated from matplotlib by
 * {@code visualize/tools/colormaps.py}): viridis for activations, jet for heatmaps, and gray.
 */
public enum Colormap {
  VIRIDIS("viridis"),
  JET("jet"),
  GRAY(null);

  private final int[] lut;

  Colormap(@Nullable String table) {
    this.lut = table == null ? grayTable() : load(table);
  }

  /** The 0xRRGGBB color of {@code t} in [0, 1] (clipped; NaN maps to the lowest color), as matplotlib indexes: floor(t * 256). */
  public int rgb(double t) {
    if (!(t > 0)) {
      return lut[0];
    }
    return lut[Math.min(255, (int) (t * 256))];
  }

  private static int[] grayTable() {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      t[i] = (i << 16) | (i << 8) | i;
    }
    return t;
  }

  private static int[] load(String name) {
    int[] t = new int[256];
    try (InputStream in = Colormap.class.getResourceAsStream(name + ".txt")) {
      if (in == null) {
        throw new ConvlensException("colormap table " + name + ".txt is missing from the classpath");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      int i = 0;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] p = line.trim().split("\\s+");
        t[i++] = (Integer.parseInt(p[0]) << 16) | (Integer.parseInt(p[1]) << 8) | Integer.parseInt(p[2]);
      }
      if (i != 256) {
        throw new ConvlensException("colormap table " + name + ".txt has " + i + " entries, expected 256");
      }
      return t;
    } catch (IOException e) {
      throw new ConvlensException("cannot read colormap table " + name + ": " + e.getMessage(), e);
    }
  }
}
