package dev.convlens.spark;

import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.jspecify.annotations.Nullable;

/**
 * Closes the executor's models when the executor stops: {@code --conf
 * spark.plugins=dev.convlens.spark.ConvlensPlugin}. Without it they are freed with the JVM.
 */
public final class ConvlensPlugin implements SparkPlugin {
  @Override
  public @Nullable DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {}

      @Override
      public void shutdown() {
        ExecutorModels.closeIdle();
      }
    };
  }
}
