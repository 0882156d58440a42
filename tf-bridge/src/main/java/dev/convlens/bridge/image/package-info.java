/**
 * Images in and labels out, exactly as Keras does it: {@link dev.convlens.bridge.image.KerasImages}
 * reproduces {@code load_img} + {@code img_to_array} (Pillow's mode conversions and NEAREST resize),
 * {@link dev.convlens.bridge.image.Preprocessing} the {@code preprocess_input} modes in float32, and
 * {@link dev.convlens.bridge.image.ClassNames} / {@link dev.convlens.bridge.image.ImageNetLabels}
 * {@code decode_predictions}.
 *
 * <p>Depends only on {@code dev.convlens.bridge} (FloatTensor, exceptions), the JDK (javax.imageio)
 * and Jackson. No TensorFlow: everything here works on plain {@code FloatTensor}s. Rendering
 * (colormaps, writing images) lives elsewhere.
 */
@NullMarked
package dev.convlens.bridge.image;

import org.jspecify.annotations.NullMarked;
