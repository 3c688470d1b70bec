package io.meshpulse.sim.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routes a listener refers to: RDS names and inline route configurations of its
 * HttpConnectionManagers (in filter chains, the default filter chain, or an API listener).
 */
public record ListenerRoutes(Set<String> rdsNames, List<RouteConfiguration> inline) {

  public static ListenerRoutes of(List<Listener> listeners) throws XdsParseException {
    Set<String> names = new LinkedHashSet<>();
    List<RouteConfiguration> inline = new ArrayList<>();
    for (Listener l : listeners) {
      List<Any> hcms = new ArrayList<>();
      if (l.hasApiListener()) {
        hcms.add(l.getApiListener().getApiListener());
      }
      List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
      if (l.hasDefaultFilterChain()) {
        chains.add(l.getDefaultFilterChain());
      }
      for (FilterChain fc : chains) {
        for (Filter f : fc.getFiltersList()) {
          if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().equals(XdsTypes.HCM)) {
            hcms.add(f.getTypedConfig());
          }
        }
      }
      for (Any any : hcms) {
        if (!any.getTypeUrl().equals(XdsTypes.HCM)) {
          continue;
        }
        HttpConnectionManager hcm;
        try {
          hcm = any.unpack(HttpConnectionManager.class);
        } catch (InvalidProtocolBufferException e) {
          throw new XdsParseException(
              l.getName() + ": cannot parse HttpConnectionManager: " + e.getMessage());
        }
        switch (hcm.getRouteSpecifierCase()) {
          case RDS -> {
            if (hcm.getRds().getRouteConfigName().isEmpty()) {
              throw new XdsParseException(l.getName() + ": rds without route_config_name");
            }
            names.add(hcm.getRds().getRouteConfigName());
          }
          case ROUTE_CONFIG -> {
            RouteWeights.validate(hcm.getRouteConfig());
            inline.add(hcm.getRouteConfig());
          }
          default -> {}
        }
      }
    }
    return new ListenerRoutes(Set.copyOf(names), List.copyOf(inline));
  }
}
