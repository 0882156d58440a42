package dev.convlens.visualize.render;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The snapshots of an optimization as an animated GIF (the JDK's own GIF writer, nothing else) or
 * as one strip of frames left to right.
 */
public final class Animation {
  private static final String GIF_IMAGE_FORMAT = "javax_imageio_gif_image_1.0";
  // Browsers play delays of 0 and 1 hundredths of a second at 1/10 s; the field holds 16 bits of hundredths.
  private static final int MIN_MILLIS = 20;
  private static final int MAX_MILLIS = 65535 * 10;

  private Animation() {}

  /**
   * {@code frames} (all the same size) as an animated GIF showing each for {@code frameMillis}
   * (rounded to the format's 1/100 s, 20 ms to 655350 ms), each frame replacing the last, played
   * forever when {@code loop} and once otherwise. Frames of up to 256 colours are kept exactly; the
   * writer reduces frames with more to 256. Transparent pixels become black.
   */
  public static byte[] gif(List<BufferedImage> frames, int frameMillis, boolean loop) {
    requireFrames(frames);
    if (frameMillis < MIN_MILLIS || frameMillis > MAX_MILLIS) {
      throw new InvalidInputException("frameMillis must be in [" + MIN_MILLIS + ", " + MAX_MILLIS + "], got "
          + frameMillis);
    }
    int hundredths = Math.round(frameMillis / 10f);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      // Interlacing (the writer's default) gains nothing here, and the JDK's own reader reads a 2-pixel-high
      // interlaced frame back with its second row lost.
      param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
      writer.prepareWriteSequence(null);
      for (int i = 0; i < frames.size(); i++) {
        BufferedImage rgb = rgb(frames.get(i));
        // The looping extension belongs once, before the first image.
        IIOMetadata meta = frameMetadata(writer, param, rgb, hundredths, loop && i == 0);
        writer.writeToSequence(new IIOImage(rgb, null, meta), param);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new ConvlensException("cannot encode GIF: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /**
   * {@link #gif} written to {@code file} through a temporary file in the same folder, so a reader
   * never sees a half-written animation; bad frames fail before anything is written.
   */
  public static void writeGif(List<BufferedImage> frames, int frameMillis, boolean loop, Path file) {
    InvalidInputException.requireNonNull(file, "file");
    byte[] bytes = gif(frames, frameMillis, loop);
    try {
      AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
    } catch (IOException e) {
      throw new ConvlensException("cannot write GIF " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code frames} (all the same size) in one row on black, {@code margin} pixels between them. */
  public static BufferedImage strip(List<BufferedImage> frames, int margin) {
    requireFrames(frames);
    if (margin < 0) {
      throw new InvalidInputException("margin must be >= 0, got " + margin);
    }
    return Grid.of(frames, frames.size(), margin, Color.BLACK);
  }

  private static void requireFrames(List<BufferedImage> frames) {
    InvalidInputException.requireNonNull(frames, "frames");
    if (frames.isEmpty()) {
      throw new InvalidInputException("expected at least one frame, got none");
    }
    BufferedImage first = InvalidInputException.requireNonNull(frames.get(0), "frame 0");
    for (int i = 1; i < frames.size(); i++) {
      BufferedImage f = InvalidInputException.requireNonNull(frames.get(i), "frame " + i);
      if (f.getWidth() != first.getWidth() || f.getHeight() != first.getHeight()) {
        throw new InvalidInputException("frame " + i + " is " + f.getWidth() + "x" + f.getHeight() + ", expected "
            + first.getWidth() + "x" + first.getHeight() + " as frame 0");
      }
    }
  }

  /** Every frame as TYPE_INT_RGB, so all are encoded alike (alpha over black). */
  private static BufferedImage rgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return rgb;
  }

  private static IIOMetadata frameMetadata(ImageWriter writer, ImageWriteParam param, BufferedImage frame,
      int hundredths, boolean loopExtension) throws IOException {
    IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(GIF_IMAGE_FORMAT);
    IIOMetadataNode control = child(root, "GraphicControlExtension");
    control.setAttribute("disposalMethod", "none");
    control.setAttribute("userInputFlag", "FALSE");
    control.setAttribute("transparentColorFlag", "FALSE");
    control.setAttribute("transparentColorIndex", "0");
    control.setAttribute("delayTime", Integer.toString(hundredths));
    if (loopExtension) {
      IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
      app.setAttribute("applicationID", "NETSCAPE");
      app.setAttribute("authenticationCode", "2.0");
      app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0 (little-endian) = forever
      child(root, "ApplicationExtensions").appendChild(app);
    }
    meta.setFromTree(GIF_IMAGE_FORMAT, root);
    return meta;
  }

  /** The child of {@code parent} named {@code name}, added if absent. */
  private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
    for (int i = 0; i < parent.getLength(); i++) {
      if (parent.item(i).getNodeName().equals(name)) {
        return (IIOMetadataNode) parent.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    parent.appendChild(node);
    return node;
  }
}
