{{/* Names */}}
{{- define "loupe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "loupe.fullname" -}}
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

{{- define "loupe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels: call with (dict "root" $ "component" "trace-collector") */}}
{{- define "loupe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loupe.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "loupe.labels" -}}
{{ include "loupe.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: loupe
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "loupe.chart" .root }}
{{- end }}

{{/* Release-wide selector: every Loupe service pod of this release */}}
{{- define "loupe.releaseSelector" -}}
app.kubernetes.io/name: {{ include "loupe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: loupe
{{- end }}

{{- define "loupe.componentName" -}}
{{- printf "%s-%s" (include "loupe.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "loupe.secretName" -}}
{{- if .Values.secrets.existingSecret }}{{ .Values.secrets.existingSecret }}{{ else }}{{ include "loupe.fullname" . }}{{ end }}
{{- end }}

{{- define "loupe.timescaledbName" -}}
{{- printf "%s-timescaledb" (include "loupe.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
What each service is, not how it is sized (that is values.yaml): whether it has a JDBC datasource
(Flyway), and which secrets it reads. Static facts of the code base, so not values.
*/}}
{{- define "loupe.traits" -}}
traceCollector: {jdbc: false, secrets: [LOUPE_TENANCY_PEPPER, LOUPE_IDENTIFIERS_SECRET]}
metricsAggregator: {jdbc: true, secrets: [LOUPE_TENANCY_PEPPER, LOUPE_TENANCY_BOOTSTRAP_TOKEN]}
evalRunner: {jdbc: true, secrets: [LOUPE_TENANCY_PEPPER, LOUPE_JUDGE_API_KEY]}
feedbackService: {jdbc: true, secrets: [LOUPE_TENANCY_PEPPER, LOUPE_IDENTIFIERS_SECRET]}
alertManager: {jdbc: true, secrets: [LOUPE_TENANCY_PEPPER, QUARKUS_MAILER_PASSWORD]}
{{- end }}

{{/* Secrets that may be absent (optional secretKeyRef) */}}
{{- define "loupe.optionalSecrets" -}}
[LOUPE_TENANCY_BOOTSTRAP_TOKEN, LOUPE_JUDGE_API_KEY, QUARKUS_MAILER_PASSWORD, KAFKA_SASL_JAAS_CONFIG]
{{- end }}

{{- define "loupe.jdbcUrl" -}}
{{- if .Values.timescaledb.enabled }}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "loupe.timescaledbName" .) .Values.timescaledb.database }}
{{- else }}{{ .Values.postgresql.jdbcUrl }}{{ end }}
{{- end }}

{{- define "loupe.reactiveUrl" -}}
{{- if .Values.timescaledb.enabled }}
{{- printf "postgresql://%s:5432/%s" (include "loupe.timescaledbName" .) .Values.timescaledb.database }}
{{- else }}{{ .Values.postgresql.reactiveUrl }}{{ end }}
{{- end }}

{{- define "loupe.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag }}
{{- if .root.Values.image.registry }}
{{- printf "%s/%s/%s:%s" .root.Values.image.registry .root.Values.image.group .component $tag }}
{{- else }}
{{- printf "%s/%s:%s" .root.Values.image.group .component $tag }}
{{- end }}
{{- end }}

{{/* Where runbook links point: alerting.runbookBaseUrl, else externalUrl + /runbooks, else the dashboard's Service */}}
{{- define "loupe.runbookBaseUrl" -}}
{{- if .Values.alerting.runbookBaseUrl }}
{{- trimSuffix "/" .Values.alerting.runbookBaseUrl }}
{{- else if .Values.alerting.externalUrl }}
{{- printf "%s/runbooks" (trimSuffix "/" .Values.alerting.externalUrl) }}
{{- else }}
{{- printf "http://%s:%v/runbooks" (include "loupe.componentName" (dict "root" . "component" "metrics-aggregator")) .Values.services.metricsAggregator.port }}
{{- end }}
{{- end }}
