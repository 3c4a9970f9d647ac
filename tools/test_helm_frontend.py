"""Tests for tools/helm, the offline Helm v4 CLI stand-in.

Run with:  python3 -m unittest tools/test_helm_frontend.py

Every test builds throw-away charts in a temporary directory and runs the
script as a subprocess, exactly as preview-gate's test suite runs `helm`.
Where possible the expected output comes from the Helm SDK itself (a
client-side dry-run install), so the stand-in is checked against real Helm
behaviour rather than against itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HELM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "helm")


def write_files(root: str, files: dict[str, str]) -> str:
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(content))
    return root


def chart_yaml(name: str, extra: str = "") -> str:
    return f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{extra}"


def sources(output: str) -> list[str]:
    return [line[len("# Source: "):] for line in output.splitlines() if line.startswith("# Source: ")]


def kinds(output: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("kind:")]


class HelmFrontendTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="helm-frontend-test-")
        self.tmp = self._tmp.name

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def chart(self, name: str, files: dict[str, str], extra_meta: str = "") -> str:
        root = os.path.join(self.tmp, name)
        write_files(root, {"Chart.yaml": chart_yaml(name, extra_meta), **files})
        return root

    def helm(self, *args: str, cwd: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([HELM, *args], cwd=cwd or self.tmp, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        if ok:
            self.assertEqual(proc.returncode, 0, f"helm {' '.join(args)} failed:\n{proc.stderr}")
        return proc

    def assert_fails(self, proc: subprocess.CompletedProcess[str], message: str) -> None:
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertTrue(proc.stderr.startswith("Error: "), proc.stderr)
        self.assertIn(message, proc.stderr)

    # ------------------------------------------------------------------ output

    def test_output_format(self) -> None:
        root = self.chart("demo", {
            "templates/cm.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-cm
                  namespace: {{ .Release.Namespace }}
                """,
            "templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}\n",
            "templates/_helpers.tpl": '{{- define "demo.x" -}}x{{- end -}}\n',
            "templates/empty.yaml": "{{- if false }}\nkind: Nothing\n{{- end }}\n",
        })
        out = self.helm("template", "rel", ".", "--namespace", "apps", cwd=root).stdout
        self.assertEqual(out, (
            "---\n"
            "# Source: demo/templates/cm.yaml\n"
            "apiVersion: v1\n"
            "kind: ConfigMap\n"
            "metadata:\n"
            "  name: rel-cm\n"
            "  namespace: apps\n"
        ))

    def test_multi_document_templates_are_split_and_sorted_by_kind(self) -> None:
        root = self.chart("order", {
            "templates/all.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: ns}
                """,
            "templates/hook.yaml": """\
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: migrate
                  annotations:
                    helm.sh/hook: pre-install,pre-upgrade
                """,
            "templates/tests/conn.yaml": """\
                apiVersion: v1
                kind: Pod
                metadata:
                  name: conn-test
                  annotations:
                    "helm.sh/hook": test
                """,
            "templates/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n",
        })
        out = self.helm("template", ".", cwd=root).stdout
        # Manifests in install order (unknown kinds last), then hooks.
        self.assertEqual(kinds(out), ["Namespace", "ServiceAccount", "Service", "Deployment",
                                      "Widget", "Pod", "Job"])
        self.assertEqual(sources(out).count("order/templates/all.yaml"), 4)

        skip_tests = self.helm("template", ".", "--skip-tests", cwd=root).stdout
        self.assertNotIn("conn-test", skip_tests)
        self.assertIn("migrate", skip_tests)

        no_hooks = self.helm("template", ".", "--no-hooks", cwd=root).stdout
        self.assertNotIn("conn-test", no_hooks)
        self.assertNotIn("migrate", no_hooks)
        self.assertIn("kind: Deployment", no_hooks)

    def test_manifest_matches_sdk_install_dry_run(self) -> None:
        """The non-hook part must equal the manifest Helm itself assembles."""
        import helm_python
        from helm_python import _native

        root = self.chart("oracle", {
            "values.yaml": "replicas: 2\n",
            "templates/a.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  replicas: {{ .Values.replicas }}

                ---
                # comment-only document
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: s}   
                """,
            "templates/b.yaml": "{{- if true }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n{{- end }}\n---kind: Role\nmetadata: {name: r}\n",
            "templates/c.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n",
        })
        out = self.helm("template", "release-name", ".", "-n", "ns1", cwd=root).stdout
        with helm_python.Config(storage_driver="memory", namespace="ns1") as cfg, \
                helm_python.Chart.load(root) as chart:
            release = json.loads(_native.call_string(
                "helm_install", cfg._raw(), _native.HANDLE(0), chart._raw(), None,
                "release-name", None, json.dumps({"dry_run": "client", "namespace": "ns1"})))
        self.assertEqual(out, release["manifest"].strip() + "\n")

    # ------------------------------------------------------------------ values

    def test_value_precedence(self) -> None:
        root = self.chart("prec", {
            "values.yaml": """\
                k1: chart
                k2: chart
                nested: {keep: chart, over: chart}
                """,
            "a.yaml": "k2: fileA\nk3: fileA\nnested: {over: fileA}\n",
            "b.yaml": "k3: fileB\nk4: fileB\n",
            "c.yaml": "k7: fileC\n",
            "k6.txt": "from-file",
            "templates/cm.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: prec}
                data:
                {{- range $k := list "k1" "k2" "k3" "k4" "k5" "k6" "k7" }}
                  {{ $k }}: {{ index $.Values $k | quote }}
                {{- end }}
                  keep: {{ .Values.nested.keep }}
                  over: {{ .Values.nested.over }}
                """,
        })
        out = self.helm(
            "template", ".", "-f", "a.yaml", "--values=b.yaml,c.yaml",
            "--set", "k4=set,k5=set", "--set-string", "k5=setstring,k6=setstring",
            "--set-file", "k6=k6.txt", cwd=root).stdout
        for line in ('k1: "chart"', 'k2: "fileA"', 'k3: "fileB"', 'k4: "set"',
                     'k5: "setstring"', 'k6: "from-file"', 'k7: "fileC"',
                     "keep: chart", "over: fileA"):
            self.assertIn(line, out)

    def test_set_and_set_string_typing(self) -> None:
        root = self.chart("types", {
            "templates/cm.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: types}
                data:
                  flag: {{ kindOf .Values.flag | quote }}
                  numIsString: {{ kindIs "string" .Values.num | quote }}
                  nullGone: {{ hasKey .Values "gone" | quote }}
                """,
            "values.yaml": "gone: here\n",
        })
        typed = self.helm("template", ".", "--set", "flag=true,num=42,gone=null", cwd=root).stdout
        self.assertIn('flag: "bool"', typed)
        self.assertIn('numIsString: "false"', typed)
        self.assertIn('nullGone: "false"', typed)
        strings = self.helm("template", ".", "--set-string", "flag=true,num=42", cwd=root).stdout
        self.assertIn('flag: "string"', strings)
        self.assertIn('numIsString: "true"', strings)

    def test_set_index_updates_list_from_values_file(self) -> None:
        root = self.chart("lists", {
            "hosts.yaml": "hosts:\n  - {name: a, port: 1}\n  - {name: b, port: 2}\n",
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l}\n"
                                 "data:\n  hosts: {{ toJson .Values.hosts | quote }}\n"
                                 "  dotted: {{ index .Values \"dotted.key\" | quote }}\n",
        })
        out = self.helm("template", ".", "-f", "hosts.yaml", "--set", "hosts[1].port=9",
                        "--set", "dotted\\.key=v", cwd=root).stdout
        self.assertIn('[{\\"name\\":\\"a\\",\\"port\\":1},{\\"name\\":\\"b\\",\\"port\\":9}]', out)
        self.assertIn('dotted: "v"', out)
        replaced = self.helm("template", ".", "-f", "hosts.yaml", "--set", "hosts={x}",
                             cwd=root).stdout
        self.assertIn('[\\"x\\"]', replaced)

    def test_values_errors(self) -> None:
        root = self.chart("verr", {"templates/cm.yaml": "kind: ConfigMap\n", "bad.yaml": "a: [\n"})
        self.assert_fails(self.helm("template", ".", "-f", "missing.yaml", cwd=root, ok=False),
                          "Error: open missing.yaml: no such file or directory")
        self.assert_fails(self.helm("template", ".", "-f", "bad.yaml", cwd=root, ok=False),
                          "Error: failed to parse bad.yaml: error converting YAML to JSON")
        self.assert_fails(self.helm("template", ".", "--set", "novalue", cwd=root, ok=False),
                          'Error: failed parsing --set data: key "novalue" has no value')

    def test_schema_validation_and_skip(self) -> None:
        root = self.chart("schema", {
            "values.yaml": "port: 80\n",
            "values.schema.json": '{"type": "object", "properties": {"port": {"type": "integer"}}}',
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n"
                                 "data:\n  port: {{ .Values.port | quote }}\n",
        })
        self.assert_fails(self.helm("template", ".", "--set-string", "port=http", cwd=root, ok=False),
                          "values don't meet the specifications of the schema(s)")
        out = self.helm("template", ".", "--set-string", "port=http", "--skip-schema-validation",
                        cwd=root).stdout
        self.assertIn('port: "http"', out)

    # ------------------------------------------------------------------ CRDs

    def test_include_crds(self) -> None:
        sub = "apiVersion: v2\nname: extras\nversion: 1.0.0\n"
        root = self.chart("crdchart", {
            "crds/widgets.yaml": "apiVersion: apiextensions.k8s.io/v1\n"
                                 "kind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n",
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "charts/extras/Chart.yaml": sub,
            "charts/extras/crds/gadgets.yaml": "apiVersion: apiextensions.k8s.io/v1\n"
                                               "kind: CustomResourceDefinition\nmetadata: {name: gadgets.example.com}\n",
            "charts/extras/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extras}\n",
        }, extra_meta="dependencies:\n  - name: extras\n    version: 1.0.0\n    condition: extras.enabled\n")
        plain = self.helm("template", ".", cwd=root).stdout
        self.assertNotIn("CustomResourceDefinition", plain)

        out = self.helm("template", ".", "--include-crds", cwd=root).stdout
        self.assertEqual(sources(out)[:2], ["crdchart/crds/widgets.yaml",
                                            "crdchart/charts/extras/crds/gadgets.yaml"])
        self.assertTrue(out.startswith("---\n# Source: crdchart/crds/widgets.yaml\n"
                                       "apiVersion: apiextensions.k8s.io/v1\n"))

        # A subchart disabled by its condition loses its templates and its CRDs.
        disabled = self.helm("template", ".", "--include-crds", "--set", "extras.enabled=false",
                             cwd=root).stdout
        self.assertEqual(sources(disabled), ["crdchart/crds/widgets.yaml",
                                             "crdchart/templates/cm.yaml"])

    # ------------------------------------------------------------------ capabilities

    def test_kube_version_and_api_versions_reach_capabilities(self) -> None:
        root = self.chart("caps", {
            "templates/cm.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}}
                data:
                  kube: {{ .Capabilities.KubeVersion.Version | quote }}
                  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
                  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
                  certs: {{ .Capabilities.APIVersions.Has "cert-manager.io/v1" | quote }}
                  gw: {{ .Capabilities.APIVersions.Has "gateway.networking.k8s.io/v1" | quote }}
                  apps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
                  install: {{ .Release.IsInstall | quote }}
                """,
        })
        out = self.helm("template", ".", "--kube-version=1.29", "--name-template", "myapp",
                        "--namespace=prod", "--api-versions", "monitoring.coreos.com/v1",
                        "--api-versions=cert-manager.io/v1,gateway.networking.k8s.io/v1",
                        cwd=root).stdout
        for line in ('kube: "v1.29.0"', 'minor: "29"', 'monitoring: "true"', 'certs: "true"',
                     'gw: "true"', 'apps: "true"', 'install: "true"',
                     "{name: myapp, namespace: prod}"):
            self.assertIn(line, out)
        default = self.helm("template", ".", cwd=root).stdout
        self.assertIn('monitoring: "false"', default)
        self.assertIn("{name: release-name, namespace: default}", default)

    def test_chart_kube_version_constraint(self) -> None:
        root = self.chart("kv", {"templates/cm.yaml": "kind: ConfigMap\nmetadata: {name: x}\n"},
                          extra_meta='kubeVersion: ">=1.30.0-0"\n')
        self.helm("template", ".", "--kube-version", "v1.31.2", cwd=root)
        self.assert_fails(
            self.helm("template", ".", "--kube-version", "v1.28.0", cwd=root, ok=False),
            "Error: chart requires kubeVersion: >=1.30.0-0 which is incompatible with Kubernetes v1.28.0")

    # ------------------------------------------------------------------ dependencies

    def test_missing_dependency_error(self) -> None:
        root = self.chart("needsdeps", {"templates/cm.yaml": "kind: ConfigMap\n"}, extra_meta=(
            "dependencies:\n"
            "  - {name: redis, version: 1.0.0, repository: https://charts.example.com}\n"
            "  - {name: common, version: 2.0.0, repository: file://../common}\n"))
        proc = self.helm("template", ".", cwd=root, ok=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr, (
            "Error: An error occurred while checking for chart dependencies. You may need to run "
            "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
            "missing in charts/ directory: redis, common\n"))

    def test_dependency_build_with_file_repository(self) -> None:
        self.chart("library-sibling", {
            "values.yaml": "greeting: hello\n",
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sibling}\n"
                                 "data: {greeting: {{ .Values.greeting }}}\n",
        })
        app = self.chart("app", {
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
        }, extra_meta="dependencies:\n  - name: library-sibling\n    version: 0.1.0\n"
                      "    repository: file://../library-sibling\n")

        self.assert_fails(self.helm("template", ".", cwd=app, ok=False),
                          "missing in charts/ directory: library-sibling")
        built = self.helm("dependency", "build", cwd=app)
        self.assertIn("Saving 1 charts", built.stdout)
        self.assertTrue(os.path.isfile(os.path.join(app, "charts", "library-sibling-0.1.0.tgz")))
        self.assertTrue(os.path.isfile(os.path.join(app, "Chart.lock")))

        out = self.helm("template", ".", "--set", "library-sibling.greeting=hi", cwd=app).stdout
        # Same kind, so helm keeps its file order: sorted paths, subchart first.
        self.assertEqual(sources(out), ["app/charts/library-sibling/templates/cm.yaml",
                                        "app/templates/cm.yaml"])
        self.assertIn("greeting: hi", out)

        # Also from another directory, naming the chart, and via `dependency update`.
        os.remove(os.path.join(app, "charts", "library-sibling-0.1.0.tgz"))
        self.helm("dependency", "update", "app", cwd=self.tmp)
        self.assertTrue(os.path.isfile(os.path.join(app, "charts", "library-sibling-0.1.0.tgz")))

    def test_dependency_build_failures(self) -> None:
        remote = self.chart("remote", {"templates/cm.yaml": "kind: ConfigMap\n"}, extra_meta=(
            "dependencies:\n  - {name: redis, version: 1.0.0, repository: https://charts.example.com}\n"))
        self.assert_fails(self.helm("dependency", "build", cwd=remote, ok=False),
                          "network access not available")
        broken = self.chart("broken", {"templates/cm.yaml": "kind: ConfigMap\n"}, extra_meta=(
            "dependencies:\n  - {name: gone, version: 1.0.0, repository: file://../gone}\n"))
        self.assertEqual(self.helm("dependency", "build", cwd=broken, ok=False).returncode, 1)

    # ------------------------------------------------------------------ errors

    def test_render_error_exits_1(self) -> None:
        root = self.chart("boom", {
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                 "  name: {{ fail \"boom happened\" }}\n",
        })
        proc = self.helm("template", ".", cwd=root, ok=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr, "Error: execution error at (boom/templates/cm.yaml:4:11): "
                                      "boom happened\n\nUse --debug flag to render out invalid YAML\n")

    def test_invalid_rendered_yaml_is_an_error(self) -> None:
        root = self.chart("badyaml", {
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                                 "  annotations:\n    helm.sh/hook-weight: 5\n",
        })
        self.assert_fails(self.helm("template", ".", cwd=root, ok=False),
                          "YAML parse error on badyaml/templates/cm.yaml")

    def test_invalid_chart_and_cli_errors(self) -> None:
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        self.assert_fails(self.helm("template", ".", cwd=empty, ok=False),
                          "Error: Chart.yaml file is missing")
        self.assert_fails(self.helm("template", "./nowhere", ok=False), 'path "./nowhere" not found')
        self.assert_fails(self.helm("template", ".", "--foo", cwd=empty, ok=False),
                          "Error: unknown flag: --foo")
        self.assert_fails(self.helm("template", ok=False), '"helm template" requires at least 1 argument')
        self.assert_fails(self.helm("template", "mychart", "--repo", "https://charts.example.com", ok=False),
                          "network access not available")
        self.assert_fails(self.helm("template", "oci://registry.example.com/charts/app", ok=False),
                          "network access not available")
        named = self.chart("named", {"templates/cm.yaml": "kind: ConfigMap\n"})
        self.assert_fails(self.helm("template", "Bad_Name", ".", cwd=named, ok=False),
                          'Error: release name "Bad_Name": invalid release name')

    def test_version(self) -> None:
        import helm_python

        sdk_version = helm_python.helm_sdk_version()
        self.assertEqual(self.helm("version", "--short").stdout, f"{sdk_version}\n")
        full = self.helm("version").stdout
        self.assertTrue(full.startswith(f'version.BuildInfo{{Version:"{sdk_version}", '), full)
        self.assertEqual(self.helm("version", "--template", "{{.Version}}").stdout, sdk_version)


if __name__ == "__main__":
    unittest.main()
