package io.meshpulse.xds.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a write to the API (any method but GET, HEAD and OPTIONS) without a bearer token in force
 * with 401, before anything reads its body: an unauthenticated caller costs no more than its
 * headers. It is the API's only token check: without tokens the API's writes are open, and the
 * webhook answers that it is disabled. The webhook's refusals count in {@code
 * meshpulse_alerts_rejected_total{reason="unauthorized"}}.
 */
public final class WriteAuth extends OncePerRequestFilter {
  private final Supplier<List<String>> tokens;
  private final MeterRegistry registry;

  /**
   * @param tokens the tokens in force now (a token file's change is seen at once)
   */
  public WriteAuth(Supplier<List<String>> tokens, MeterRegistry registry) {
    this.tokens = tokens;
    this.registry = registry;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    boolean reads = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    if (reads || BearerAuth.allowsWrite(request.getHeader("Authorization"), tokens.get())) {
      chain.doFilter(request, response);
      return;
    }
    if (request.getRequestURI().endsWith("/api/v1/alerts")) {
      registry.counter("meshpulse.alerts.rejected", "reason", "unauthorized").increment();
    }
    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    response.setContentType("application/json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    // Not reading the body: the connection is closed after the answer rather than drained.
    response.setHeader("Connection", "close");
    response.getWriter().write("{\"error\":\"" + BearerAuth.UNAUTHORIZED + "\"}");
  }
}
