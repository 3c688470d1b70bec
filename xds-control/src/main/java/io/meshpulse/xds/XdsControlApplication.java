package io.meshpulse.xds;

import io.meshpulse.xds.api.RequestSizeLimit;
import io.meshpulse.xds.api.WriteAuth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
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

  /**
   * What an instance does when it loses the leader lease: by default it exits with status 1 (after
   * closing the application), so that its supervisor starts it again as a standby. An application
   * embedding xds-control registers a bean of its own to do otherwise.
   */
  @FunctionalInterface
  public interface LeadershipLossHandler {
    void lost(String reason);
  }

  @Bean(destroyMethod = "close")
  XdsControlRuntime xdsControlRuntime(
      XdsControlProperties props,
      MeterRegistry registry,
      ObjectProvider<LeadershipLossHandler> handler,
      ConfigurableApplicationContext context) {
    LeadershipLossHandler onLoss = handler.getIfAvailable(() -> reason -> exit(context));
    return new XdsControlRuntime(props, registry, Clock.systemUTC(), onLoss::lost);
  }

  private static void exit(ConfigurableApplicationContext context) {
    // Not on the lease's thread: closing the context closes the runtime, which waits for it.
    Thread exit =
        new Thread(
            () -> System.exit(SpringApplication.exit(context, () -> 1)), "xds-leadership-exit");
    // Not a daemon, as the lease's thread is: the JVM must not end with status 0 before it runs.
    exit.setDaemon(false);
    exit.start();
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
      String role = runtime.role();
      Health.Builder b =
          "lost".equals(role)
              ? Health.down()
              : view.ready() && runtime.leads() ? Health.up() : Health.outOfService();
      b.withDetail("role", role)
          .withDetail("healthTable", runtime.health().state().name())
          .withDetail("adsPort", runtime.adsPort());
      if (runtime.lostReason() != null) {
        b.withDetail("lostLease", runtime.lostReason());
      }
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
