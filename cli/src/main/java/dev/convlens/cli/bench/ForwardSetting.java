package dev.convlens.cli.bench;

import dev.convlens.bridge.SessionOptions;
import java.util.Locale;

/**
 * One configuration {@code bench forward} times: the session options the model is loaded with,
 * which copy path a forward pass takes ({@code predict}'s bulk copies, or the element-wise NdArray
 * copies the bridge keeps for comparison), and whether TensorFlow's oneDNN kernels are on (an
 * environment variable read once per process, so only for worker JVMs). Written as
 * {@code default}, or tokens joined by {@code +}: {@code intra2}, {@code inter1}, {@code no-opt}
 * (grappler off), {@code elementwise}, {@code onednn}; e.g. {@code intra1+inter1+no-opt}.
 */
public record ForwardSetting(SessionOptions session, boolean elementwise, boolean onednn) {
  /** The variable TensorFlow reads (once, at the first session) to turn its oneDNN kernels on or off. */
  public static final String ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS";

  public ForwardSetting {
    if (session == null) {
      throw new IllegalArgumentException("session options are required");
    }
  }

  public static ForwardSetting defaults() {
    return new ForwardSetting(SessionOptions.defaults(), false, false);
  }

  /** Parses the command-line form (see the class comment); the inverse of {@link #label()}. */
  public static ForwardSetting parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("default")) {
      return defaults();
    }
    SessionOptions s = SessionOptions.defaults();
    boolean elementwise = false;
    boolean onednn = false;
    for (String token : t.split("\\+")) {
      if (token.matches("intra\\d{1,3}")) {
        s = s.withIntraOpThreads(Integer.parseInt(token.substring(5)));
      } else if (token.matches("inter\\d{1,3}")) {
        s = s.withInterOpThreads(Integer.parseInt(token.substring(5)));
      } else if (token.equals("no-opt")) {
        s = s.withGraphOptimizations(false);
      } else if (token.equals("elementwise")) {
        elementwise = true;
      } else if (token.equals("onednn")) {
        onednn = true;
      } else {
        throw new IllegalArgumentException("unknown setting '" + token + "' in '" + text
            + "': use default, or intraN, interN, no-opt, elementwise, onednn joined by '+'");
      }
    }
    return new ForwardSetting(s, elementwise, onednn);
  }

  /** The command-line form: {@code default}, or e.g. {@code intra2+inter1}. */
  public String label() {
    StringBuilder b = new StringBuilder();
    if (session.intraOpThreads() > 0) {
      b.append("+intra").append(session.intraOpThreads());
    }
    if (session.interOpThreads() > 0) {
      b.append("+inter").append(session.interOpThreads());
    }
    if (!session.graphOptimizations()) {
      b.append("+no-opt");
    }
    if (elementwise) {
      b.append("+elementwise");
    }
    if (onednn) {
      b.append("+onednn");
    }
    return b.isEmpty() ? "default" : b.substring(1);
  }
}
