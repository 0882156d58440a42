package dev.convlens.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The served models by name, and whether the server is still loading them, serving, or stopping. */
final class Models {
  enum State { LOADING, READY, STOPPING }

  private final Map<String, ServedModel> byName = new LinkedHashMap<>();
  private volatile State state = State.LOADING;
  private volatile List<String> names = List.of();

  synchronized void add(String name, ServedModel model) {
    byName.put(name, model);
    names = List.copyOf(byName.keySet());
  }

  void state(State s) {
    state = s;
  }

  State state() {
    return state;
  }

  List<String> names() {
    return names;
  }

  /** The model served as {@code name}: 404 when there is none, 503 while it loads or after the server stopped. */
  synchronized ServedModel get(String name) {
    ServedModel m = byName.get(name);
    if (m != null && state == State.READY) {
      return m;
    }
    if (state != State.READY) {
      throw new ApiException(503, state == State.LOADING ? "the models are still loading; GET /ready tells when they are"
          : "the server is shutting down");
    }
    throw ApiException.notFound("no model named '" + name + "'; this server has " + (names.isEmpty() ? "none"
        : String.join(", ", names)));
  }

  synchronized List<ModelInfo> infos() {
    List<ModelInfo> out = new ArrayList<>();
    if (state == State.READY) {
      byName.values().forEach(m -> out.add(m.info()));
    }
    return out;
  }

  synchronized List<ServedModel> all() {
    return List.copyOf(byName.values());
  }
}
