#!/usr/bin/python3
"""Writes the 256-entry colormap tables convlens ships, from matplotlib (Debian's python3-matplotlib).

viridis is matplotlib's default colormap (its data is CC0); jet is matplotlib's piecewise-linear
'jet', the colormap of the Keras Grad-CAM example. Run from the repository root:
    /usr/bin/python3 visualize/tools/colormaps.py
"""
import os
import matplotlib
from matplotlib import cm

out = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "dev", "convlens", "visualize", "render")
for name in ("viridis", "jet"):
    cmap = matplotlib.colormaps[name].resampled(256)
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write("# matplotlib %s '%s', 256 entries, RGB 0..255 (round(x * 255))\n" % (matplotlib.__version__, name))
        for i in range(256):
            r, g, b, _ = cmap(i)
            f.write("%d %d %d\n" % (round(r * 255), round(g * 255), round(b * 255)))
