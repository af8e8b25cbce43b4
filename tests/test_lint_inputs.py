"""What lint reads: standard input, folders, encodings, and every kind of bad input (never a traceback)."""

from __future__ import annotations

import os
import sys

import pytest
from conftest import FIXTURES

LINT_FIXTURES = FIXTURES / "lint"
TOKEN_RULES = ("--select", "KT001,KT002,KT003")


@pytest.fixture(autouse=True)
def in_lint_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LINT_FIXTURES)


def positions(report: dict) -> list[tuple]:
    return sorted((f["line"], f["column"], f["rule"], f["severity"], f["kind"], f["name"]) for f in report["findings"])


def lint_json(cli, *args: str, input: bytes | str | None = None) -> dict:
    return cli("lint", *TOKEN_RULES, "--format", "json", *args, input=input).json()


@pytest.mark.parametrize("fixture", ["pod.yaml", "cronjob.yaml", "bom.yaml", "crlf.yaml", "bom-crlf.yaml"])
def test_stdin_reports_what_the_file_reports_under_the_name_dash(cli, fixture: str) -> None:
    from_file = lint_json(cli, fixture)
    from_stdin = lint_json(cli, "-", input=(LINT_FIXTURES / fixture).read_bytes())
    assert positions(from_stdin) == positions(from_file) != []
    assert {finding["path"] for finding in from_stdin["findings"]} == {"-"}


def test_serviceaccounts_resolve_across_stdin_and_files(cli) -> None:
    workloads = (LINT_FIXTURES / "sa-precedence" / "pods.yaml").read_text()
    alone = lint_json(cli, "-", input=workloads)
    together = lint_json(cli, "sa-precedence/serviceaccounts.yaml", "-", input=workloads)
    assert len(together["findings"]) < len(alone["findings"])
    assert "Pod/pod-absent-sa-false" in {f"{f['kind']}/{f['name']}" for f in alone["findings"]}
    assert "Pod/pod-absent-sa-false" not in {f"{f['kind']}/{f['name']}" for f in together["findings"]}


def test_empty_stdin_is_nothing_to_lint(cli) -> None:
    result = cli("lint", "-", input="")
    assert result.exit_code == 0


def test_bom_and_crlf_do_not_shift_positions(cli) -> None:
    assert positions(lint_json(cli, "bom-crlf.yaml")) == [
        (14, 7, "KT003", "warning", "Deployment", "bom-crlf"),
        (28, 7, "KT002", "error", "Job", "bom-crlf-job"),
    ]


def error_of(cli, *paths: str, input: bytes | None = None) -> dict:
    result = cli("lint", "--format", "json", *paths, input=input)
    assert result.exit_code == 2
    (error,) = result.json()["errors"]
    return error


def test_invalid_yaml_is_one_error_with_line_and_column(cli) -> None:
    error = error_of(cli, "invalid-yaml.yaml")
    assert (error["line"], error["column"]) == (11, 8)
    assert error["message"].startswith("invalid YAML")
    assert "\n" not in error["message"]


def test_duplicate_keys_name_both_lines(cli) -> None:
    error = error_of(cli, "duplicate-keys.yaml")
    assert "'image'" in error["message"]
    assert "line 14" in error["message"] and "line 15" in error["message"]


def test_binary_and_non_utf8_files_are_errors_with_a_position(cli) -> None:
    assert "binary" in error_of(cli, "binary.yaml")["message"]
    error = error_of(cli, "invalid-utf8.yaml")
    assert "UTF-8" in error["message"]
    assert (error["line"], error["column"]) == (4, 12)


def test_a_missing_path_is_an_error_and_the_rest_is_still_linted(cli) -> None:
    result = cli("lint", "--format", "json", "no-such-folder", "job.yaml")
    assert result.exit_code == 2
    report = result.json()
    assert [error["path"] for error in report["errors"]] == ["no-such-folder"]
    assert report["findings"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_a_dangling_symlink_is_an_unreadable_file(cli, tmp_path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing-target.yaml")
    error = error_of(cli, str(tmp_path / "gone.yaml"))
    assert error["message"].startswith("cannot read")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_a_file_without_read_permission_is_an_unreadable_file(cli, tmp_path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("apiVersion: v1\nkind: Pod\n")
    locked.chmod(0)
    error = error_of(cli, str(locked))
    assert "cannot read" in error["message"] and "ermission" in error["message"]


def test_a_helm_template_is_skipped_with_a_notice_that_says_render_it(cli) -> None:
    result = cli("lint", "helm-template.yaml")
    assert result.exit_code == 0
    assert result.stderr.startswith("helm-template.yaml:1:1: skipped: Go template")
    assert "render" in result.stderr


def test_go_templates_inside_strings_and_comments_are_data_not_a_chart(cli) -> None:
    # Rendered output (Prometheus alert texts, Alertmanager templates, comments) is still linted.
    report = lint_json(cli, "go-template-strings.yaml")
    assert report["skipped"] == []
    assert positions(report) == [(31, 7, "KT003", "warning", "Deployment", "alert-relay")]


def test_flow_mappings_may_hold_plain_values_with_colons(cli) -> None:
    # `image: registry/app:1` inside `{...}` is valid YAML (go-yaml and kubectl accept it); libyaml's scanner
    # rejects it, so such a file must not be reported as invalid.
    manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: tiny}\nspec: {containers: [{name: a, image: app:1}]}\n"
    report = lint_json(cli, "-", input=manifest)
    assert report["errors"] == []
    assert positions(report) == [(4, 7, "KT003", "warning", "Pod", "tiny")]


def test_flow_mapping_errors_are_still_reported_with_their_position(cli) -> None:
    error = error_of(cli, "-", input=b"apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: x}\n")
    assert error["message"].startswith("invalid YAML")
    assert error["line"] >= 3


def test_folders_are_searched_for_yaml_but_not_in_version_control_folders(cli, tmp_path) -> None:
    pod = (LINT_FIXTURES / "pod.yaml").read_text()
    (tmp_path / "apps" / "nested").mkdir(parents=True)
    (tmp_path / "apps" / "nested" / "pod.yml").write_text(pod)
    (tmp_path / "apps" / "pod.yaml").write_text(pod)
    (tmp_path / "apps" / "notes.txt").write_text(pod)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "pod.yaml").write_text(pod)
    report = lint_json(cli, str(tmp_path))
    found = {os.path.relpath(finding["path"], tmp_path) for finding in report["findings"]}
    assert found == {os.path.join("apps", "pod.yaml"), os.path.join("apps", "nested", "pod.yml")}


def test_a_deeply_nested_flow_value_with_a_colon_reports_the_yaml_error(cli) -> None:
    # The lenient retry of a libyaml rejection must not turn it into a recursion failure.
    error = error_of(cli, "-", input=("a: " + "{x: " * 1500 + "a:1" + "}" * 1500 + "\n").encode())
    assert error["message"] == "invalid YAML: found unexpected ':'"


def test_an_unclosed_deep_flow_sequence_is_invalid_yaml_at_its_position(cli) -> None:
    error = error_of(cli, "-", input=("a: " + "[" * 1500 + "]" * 1499 + "\n").encode())
    assert error["message"].startswith("invalid YAML")
    assert (error["line"], error["column"]) == (2, 1)


def test_stdin_named_twice_is_read_once(cli) -> None:
    report = lint_json(cli, "-", "-", input=(LINT_FIXTURES / "daemonset.yaml").read_text())
    assert len(report["findings"]) == 1
    assert report["summary"]["files"] == 1


def test_a_broken_manifest_that_mentions_a_template_in_a_comment_is_an_error_not_a_skipped_template(cli) -> None:
    manifest = "# rendered from {{ .Values.image }}\napiVersion: v1\nkind: Pod\nmetadata: {name: x\n"
    result = cli("lint", "--format", "json", "-", input=manifest)
    assert result.exit_code == 2
    report = result.json()
    assert report["skipped"] == []
    assert report["errors"][0]["message"].startswith("invalid YAML")


def test_a_read_error_is_a_one_line_error_even_when_running_as_root(cli, monkeypatch) -> None:
    # Root reads files without read permission, so the permission error is simulated at open().
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("k8stoken.load.open", refuse, raising=False)
    error = error_of(cli, "job.yaml")
    assert error == {"path": "job.yaml", "line": 1, "column": 1, "message": "cannot read: Permission denied"}
