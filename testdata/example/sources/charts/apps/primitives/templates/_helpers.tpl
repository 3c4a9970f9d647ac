{{- define "primitives.labels" -}}
app.kubernetes.io/part-of: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
ameide.io/primitives-bundle: {{ .Release.Name }}
{{- end -}}

{{- define "primitives.image" -}}
{{- required "image.ref is required" .Values.image.ref -}}
{{- end -}}
