/**
 * Class activation maps: which parts of an image led the network to a class. One shared piece
 * ({@link dev.convlens.visualize.cam.CamExplainer} with its package-private {@code CamOps}) owns the
 * target layer, the TF ops (built once per model, layer and score kind, then reused) and the
 * resizing; each method (Grad-CAM as in the book and as in the Keras example, Grad-CAM++,
 * LayerCAM, Score-CAM) is a short class that only says how activations and gradients become a map.
 * {@link dev.convlens.visualize.cam.Overlay} colors a map and lays it over the photo.
 * Depends on tf-bridge's KerasModel and on {@code visualize.render}.
 */
package dev.convlens.visualize.cam;
