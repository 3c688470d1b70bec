package io.meshpulse.xds.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses an API request whose body is larger than {@code meshpulse.xds.api.max-request-size} with
 * 413, before a controller reads it into memory: a declared {@code Content-Length} is checked as it
 * stands, a chunked body is read up to the limit and handed on from memory. The webhook's refusals
 * are counted in {@code meshpulse_alerts_rejected_total{reason="too_large"}}.
 */
public final class RequestSizeLimit extends OncePerRequestFilter {
  private static final Logger log = LoggerFactory.getLogger(RequestSizeLimit.class);

  private final DataSize max;
  private final MeterRegistry registry;

  public RequestSizeLimit(DataSize max, MeterRegistry registry) {
    this.max = max;
    this.registry = registry;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long limit = max.toBytes();
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      refuse(request, response, declared + " bytes");
      return;
    }
    if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
      byte[] body = request.getInputStream().readNBytes((int) limit + 1);
      if (body.length > limit) {
        refuse(request, response, "more than " + limit + " bytes (chunked)");
        return;
      }
      chain.doFilter(new BufferedBody(request, body), response);
      return;
    }
    chain.doFilter(request, response);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, String size)
      throws IOException {
    if (request.getRequestURI().endsWith("/api/v1/alerts")) {
      registry.counter("meshpulse.alerts.rejected", "reason", "too_large").increment();
    }
    log.warn(
        "refused {} {} from {}: body of {} is over meshpulse.xds.api.max-request-size ({})",
        request.getMethod(),
        request.getRequestURI(),
        request.getRemoteAddr(),
        size,
        max);
    response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
    response.setContentType("application/json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response
        .getWriter()
        .write(
            "{\"error\":\"request body larger than "
                + max
                + " (meshpulse.xds.api.max-request-size)\"}");
  }

  /** The request with its body already read. */
  private static final class BufferedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          // The whole body is in memory: it is ready at once, and then all read.
          try {
            if (!isFinished()) {
              listener.onDataAvailable();
            }
            listener.onAllDataRead();
          } catch (IOException e) {
            listener.onError(e);
          }
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }
  }
}
