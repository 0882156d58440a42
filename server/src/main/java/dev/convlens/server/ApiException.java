package dev.convlens.server;

/**
 * A request the server refuses, with the HTTP status and the message its JSON error body carries
 * ({@code {"error": message, "status": status}}).
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false); // an expected outcome: no stack trace to fill
    this.status = status;
  }

  int status() {
    return status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }
}
