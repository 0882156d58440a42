package dev.convlens.bridge;

/**
 * How a model's TensorFlow session runs: thread pools and graph optimizations. The one place these
 * are set; {@link LoadOptions#withSession(SessionOptions)} passes them at load time.
 *
 * <p>TensorFlow's thread pools belong to the process and are sized by its first session; a model
 * given thread counts here gets pools of its own ({@code use_per_session_threads}), but TF still
 * shares its intra-op pool across sessions unless {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} is set
 * before the JVM starts. On 2 cores TF's defaults were the fastest setting measured
 * ({@code convlens bench forward}).
 *
 * @param intraOpThreads threads one op may use (0: TensorFlow's default, the machine's cores)
 * @param interOpThreads ops run at once (0: TensorFlow's default)
 * @param graphOptimizations grappler's graph rewrites (constant folding, layout, remapping); on by default
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean graphOptimizations) {
  public SessionOptions {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new InvalidInputException("thread counts must be >= 0 (0: TensorFlow's default), got intra-op "
          + intraOpThreads + ", inter-op " + interOpThreads);
    }
  }

  public static SessionOptions defaults() {
    return new SessionOptions(0, 0, true);
  }

  public SessionOptions withIntraOpThreads(int n) {
    return new SessionOptions(n, interOpThreads, graphOptimizations);
  }

  public SessionOptions withInterOpThreads(int n) {
    return new SessionOptions(intraOpThreads, n, graphOptimizations);
  }

  public SessionOptions withGraphOptimizations(boolean on) {
    return new SessionOptions(intraOpThreads, interOpThreads, on);
  }
}
