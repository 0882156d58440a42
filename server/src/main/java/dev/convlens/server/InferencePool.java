package dev.convlens.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that run model work: a fixed number of workers and a bounded queue in front of
 * them. When both are full a task is refused at once (the caller answers 503) rather than queued
 * without bound, so a burst costs a retry, never the heap.
 */
final class InferencePool implements AutoCloseable {
  private final ThreadPoolExecutor executor;
  private final AtomicInteger running = new AtomicInteger();

  InferencePool(int workers, int queueCapacity) {
    BlockingQueue<Runnable> queue = queueCapacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueCapacity);
    AtomicInteger n = new AtomicInteger();
    executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, queue, r -> {
      Thread t = new Thread(r, "convlens-inference-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs {@code task} on a worker; an {@link ApiException} 503 when the queue is full or the pool closed. */
  <T> CompletableFuture<T> submit(Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        running.incrementAndGet();
        try {
          result.complete(task.get());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        } finally {
          running.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      throw new ApiException(503, executor.isShutdown() ? "the server is shutting down"
          : "overloaded: " + executor.getQueue().size() + " requests are waiting for the model; retry shortly");
    }
    return result;
  }

  /** Tasks waiting for a worker. */
  int queued() {
    return executor.getQueue().size();
  }

  /** Tasks a worker is running now. */
  int running() {
    return running.get();
  }

  /** Refuses new tasks and waits up to {@code seconds} for those accepted to finish. */
  void shutdown(long seconds) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }

  @Override
  public void close() {
    try {
      shutdown(30);
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
