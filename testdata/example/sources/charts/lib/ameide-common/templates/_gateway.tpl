{{/*
parentRefs for a route that attaches to the base-environment Gateway (spec §9).
*/}}
{{- define "ameide-common.parentRefs" -}}
parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: {{ .Values.gateway.name }}
    namespace: {{ required "gateway.namespace is required" .Values.gateway.namespace }}
    sectionName: {{ .Values.gateway.sectionName | default "https" }}
{{- end -}}
