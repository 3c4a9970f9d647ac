{{/*
Image contract (normative spec §8.2): the full reference comes from .Values.image.ref.
*/}}
{{- define "ameide-common.image" -}}
{{- required "image.ref is required (ghcr.io/ameideio/<service>:<sha>)" .Values.image.ref -}}
{{- end -}}
