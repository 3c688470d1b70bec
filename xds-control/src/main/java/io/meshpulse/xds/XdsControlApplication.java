package io.meshpulse.xds;

import io.meshpulse.xds.api.RequestSizeLimit;
import io.meshpulse.xds.api.WriteAuth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * The xds-control Spring Boot application. Its configuration file is {@code xds-control.yml}
 * ({@code spring.config.name=xds-control}), so it can run beside other meshpulse apps in one JVM:
 *
 * <pre>{@code
 * new SpringApplicationBuilder(XdsControlApplication.class)
 *     .properties("spring.config.name=xds-control", "meshpulse.xds.topology-file=...")
 *     .run();
 * }</pre>
 *
 * The bound ADS port is {@code context.getBean(XdsControlRuntime.class).adsPort()}.
 */
@SpringBootApplication
@EnableConfigurationProperties(XdsControlProperties.class)
public class XdsControlApplication {
  /** What {@link #main} starts with; pass these (and any overrides) when embedding the app. */
  public static final List<String> DEFAULT_PROPERTIES =
      List.of("spring.config.name=xds-control", "server.port=18080");

  public static void main(String[] args) {
    new SpringApplicationBuilder(XdsControlApplication.class)
        .properties(DEFAULT_PROPERTIES.toArray(String[]::new))
        .run(args);
  }

  @Bean(destroyMethod = "close")
  XdsControlRuntime xdsControlRuntime(XdsControlProperties props, MeterRegistry registry) {
    return new XdsControlRuntime(props, registry, Clock.systemUTC());
  }

  /**
   * The request size limit, right after the token check (so before any other filter reads a body),
   * on every path: the API's and the actuator's.
   */
  @Bean
  FilterRegistrationBean<RequestSizeLimit> requestSizeLimit(
      XdsControlProperties props, MeterRegistry registry) {
    FilterRegistrationBean<RequestSizeLimit> bean =
        new FilterRegistrationBean<>(new RequestSizeLimit(props.api().maxRequestSize(), registry));
    bean.addUrlPatterns("/*");
    bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    return bean;
  }

  /**
   * The API's writes need the token before their bodies are read, first of all filters: the size
   * limit reads a chunked body (up to the limit) to measure it.
   */
  @Bean
  FilterRegistrationBean<WriteAuth> writeAuth(XdsControlRuntime runtime, MeterRegistry registry) {
    FilterRegistrationBean<WriteAuth> bean =
        new FilterRegistrationBean<>(new WriteAuth(runtime::webhookTokens, registry));
    bean.addUrlPatterns("/api/*");
    bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return bean;
  }

  /** Readiness: UP once the health table is restored and the first routing is published. */
  @Bean
  HealthIndicator xdsControl(XdsControlRuntime runtime) {
    return () -> {
      var view = runtime.loop().view();
      Health.Builder b = view.ready() ? Health.up() : Health.outOfService();
      b.withDetail("healthTable", runtime.health().state().name())
          .withDetail("adsPort", runtime.adsPort());
      if (view.xdsVersion() != null) {
        b.withDetail("xdsVersion", view.xdsVersion());
      }
      String topologyError = runtime.topologyError();
      if (topologyError != null) {
        b.withDetail("topologyError", topologyError);
      }
      return b.build();
    };
  }
}
