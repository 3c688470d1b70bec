{{/* The chart name, truncated to 63 characters. */}}
{{- define "meshpulse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources, truncated to 63 characters (DNS label limit). */}}
{{- define "meshpulse.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's resource name: fullname-component, within 63 characters. */}}
{{- define "meshpulse.componentName" -}}
{{- printf "%s-%s" (include "meshpulse.fullname" .root | trunc (int (sub 62 (len .component))) | trimSuffix "-") .component }}
{{- end }}

{{- define "meshpulse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades, so no version in them. */}}
{{- define "meshpulse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshpulse.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of a component's resources. */}}
{{- define "meshpulse.labels" -}}
helm.sh/chart: {{ include "meshpulse.chart" .root }}
{{ include "meshpulse.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: meshpulse
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The labels of a component's pods: its labels, and Istio's injection opt-out unless
istioSidecar is set. */}}
{{- define "meshpulse.podLabels" -}}
{{ include "meshpulse.labels" . }}
{{- if not .root.Values.istioSidecar }}
sidecar.istio.io/inject: "false"
{{- end }}
{{- end }}

{{/* registry/name:tag of a meshpulse image. */}}
{{- define "meshpulse.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (default .root.Chart.AppVersion .root.Values.image.tag) }}
{{- end }}

{{- /*
The Strimzi Kafka cluster's name: at most 47 characters, so that the Services Strimzi names after
it (<cluster>-kafka-bootstrap, the longest) stay within 63.
*/}}
{{- define "meshpulse.kafkaCluster" -}}
{{- printf "%s-kafka" (include "meshpulse.fullname" . | trunc 41 | trimSuffix "-") }}
{{- end }}

{{- /*
The Strimzi node pool's name. Strimzi names each broker pod <cluster>-<pool>-<id>, and that name
is also a label value (63 characters at most): <cluster>-pool where that fits for ids up to 99,
otherwise a short name unique to the cluster. (A pool is never renamed: a release whose pod names
fitted keeps its pool.)
*/}}
{{- define "meshpulse.kafkaPool" -}}
{{- $cluster := include "meshpulse.kafkaCluster" . }}
{{- if le (add (mul 2 (len $cluster)) 9) 63 }}
{{- printf "%s-pool" $cluster }}
{{- else }}
{{- printf "pool-%s" (sha256sum $cluster | trunc 6) }}
{{- end }}
{{- end }}

{{- /*
The FlinkDeployment's name, which Flink takes as its cluster id: at most 45 characters
(Flink's native Kubernetes limit).
*/}}
{{- define "meshpulse.flinkDeploymentName" -}}
{{- printf "%s-stream-processor" (include "meshpulse.fullname" . | trunc 28 | trimSuffix "-") }}
{{- end }}

{{/* The service account the Flink JobManager and TaskManagers run as. */}}
{{- define "meshpulse.flinkServiceAccount" -}}
{{- if .Values.streamProcessor.serviceAccount.create }}
{{- default (include "meshpulse.componentName" (dict "root" . "component" "flink")) .Values.streamProcessor.serviceAccount.name }}
{{- else }}
{{- default "flink" .Values.streamProcessor.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Kafka bootstrap servers: the Strimzi cluster's service when it is enabled. */}}
{{- define "meshpulse.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.enabled }}
{{- printf "%s-kafka-bootstrap:9092" (include "meshpulse.kafkaCluster" .) }}
{{- else }}
{{- .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{/* Name of the secret holding the alert webhook token. */}}
{{- define "meshpulse.alertWebhookSecret" -}}
{{- default (include "meshpulse.componentName" (dict "root" . "component" "alert-webhook")) .Values.alertWebhook.existingSecret }}
{{- end }}

{{/*
A rules or dashboard file with monitoring.istioMetricsSelector added to every istio_* series
selector, so the packaged queries count one source of Istio's standard metrics. .json: the text
is a dashboard, where the matchers sit inside JSON strings.
*/}}
{{- define "meshpulse.istioSelected" -}}
{{- $text := .text -}}
{{- with .root.Values.monitoring.istioMetricsSelector -}}
{{- $matchers := trimSuffix "," (trimPrefix "," (trim .)) -}}
{{- if or (hasPrefix "{" $matchers) (hasSuffix "}" $matchers) -}}
{{- fail (printf "monitoring.istioMetricsSelector: give the label matchers without braces, e.g. job=\"meshpulse-collector\" (got %s)" .) -}}
{{- end -}}
{{- if $.json -}}
{{- $matchers = $matchers | toJson | trimPrefix "\"" | trimSuffix "\"" -}}
{{- end -}}
{{- /* $ in the matchers (a regex's end) must not read as a group of the replacement */ -}}
{{- $text = regexReplaceAll "(istio_[a-z_]+)\\{" $text (printf "${1}{%s," (replace "$" "$$" $matchers)) -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{- /*
The TLS transport socket of an example bootstrap cluster: the server must present a certificate
for "host", signed by the proxy's ca.crt; with "clientCert", the proxy presents its own.
*/}}
{{- define "meshpulse.exampleTlsSocket" -}}
transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
    sni: {{ .host }}
    common_tls_context:
      {{- if .clientCert }}
      tls_certificates:
        - certificate_chain: {filename: /etc/envoy/tls/tls.crt}
          private_key: {filename: /etc/envoy/tls/tls.key}
      {{- end }}
      validation_context:
        trusted_ca: {filename: /etc/envoy/tls/ca.crt}
        match_typed_subject_alt_names:
          - san_type: DNS
            matcher: {exact: {{ .host }}}
{{- end }}

{{- /*
kafka.clientProperties as JSON (include returns text: read it back with fromJson), refused when
they hold a key the chart sets. With "spring", every ${ becomes \${: Spring resolves ${...} in
property values, and would mangle a reference to Kafka's config providers, such as
${file:/path:key}; escaped, it reaches the Kafka client as written.
*/}}
{{- define "meshpulse.kafkaClientProperties" -}}
{{- $out := dict -}}
{{- range $key, $value := .root.Values.kafka.clientProperties -}}
{{- if eq $key "bootstrap.servers" -}}
{{- fail (printf "kafka.clientProperties.%s is set by the chart; use kafka.bootstrapServers (docs/kubernetes.md, \"Kafka with TLS or SASL\")" $key) -}}
{{- end -}}
{{- $value = toString $value -}}
{{- if $.spring -}}
{{- $value = replace "${" "\\${" $value -}}
{{- end -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- /*
Refuses a SPRING_APPLICATION_JSON in a component's extraEnv when the chart writes one itself
("what" names the chart's values behind it): the later variable would replace the chart's whole
document, and with it those values, without a word.
*/}}
{{- define "meshpulse.refuseSpringJsonInExtraEnv" -}}
{{- range .extraEnv -}}
{{- if eq .name "SPRING_APPLICATION_JSON" -}}
{{- fail (printf "%s.extraEnv sets SPRING_APPLICATION_JSON, which would replace the one the chart writes for %s; set those properties as MESHPULSE_... variables instead (docs/kubernetes.md, \"Kafka with TLS or SASL\")" $.component $.what) -}}
{{- end -}}
{{- end -}}
{{- end }}
