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

{{/* registry/name:tag of a meshpulse image. */}}
{{- define "meshpulse.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (default .root.Chart.AppVersion .root.Values.image.tag) }}
{{- end }}

{{/* The Kafka bootstrap servers: the Strimzi cluster's service when it is enabled. */}}
{{- define "meshpulse.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.enabled }}
{{- printf "%s-kafka-kafka-bootstrap:9092" (include "meshpulse.fullname" .) }}
{{- else }}
{{- .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{/* Name of the secret holding the alert webhook token. */}}
{{- define "meshpulse.alertWebhookSecret" -}}
{{- default (include "meshpulse.componentName" (dict "root" . "component" "alert-webhook")) .Values.alertWebhook.existingSecret }}
{{- end }}
