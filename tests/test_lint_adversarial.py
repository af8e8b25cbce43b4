"""Hostile and odd inputs: lint (and fix) must answer with findings or one-line errors, never crash or hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

ADVERSARIAL = FIXTURES / "adversarial"
TOKEN_RULES = ("--select", "KT001,KT002,KT003")
# Not a speed target: long enough for any machine, short enough that a run that never ends fails.
HANG = 120


@pytest.fixture(autouse=True)
def in_adversarial_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ADVERSARIAL)


def lint_json(cli, *args: str, input: bytes | str | None = None) -> tuple[int, dict]:
    result = cli("lint", "--format", "json", *args, input=input)
    return result.exit_code, result.json()


def run_k8stoken(*args: str, cwd: Path = ADVERSARIAL) -> subprocess.CompletedProcess:
    """A separate process, for inputs that could crash the interpreter or never finish."""
    return subprocess.run(
        [sys.executable, "-m", "k8stoken", *args], cwd=cwd, capture_output=True, text=True, timeout=HANG
    )


def test_a_control_character_is_an_error_at_its_own_line_and_column(cli) -> None:
    code, report = lint_json(cli, "control-character.yaml")
    assert code == 2
    (error,) = report["errors"]
    assert (error["line"], error["column"]) == (8, 39)
    assert "#x0007" in error["message"]


def test_a_control_character_after_multibyte_text_is_placed_by_characters_not_bytes(cli) -> None:
    manifest = "metadata:\n  name: café-ünïcode\n  note: ab\x07\n"
    code, report = lint_json(cli, "-", input=manifest.encode())
    assert code == 2
    (error,) = report["errors"]
    assert (error["line"], error["column"]) == (3, 11)


def test_a_nul_byte_beyond_the_binary_sniff_is_an_error_at_its_position(cli) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\n" + "# padding\n" * 1000 + "data: {a: b\0}\n"
    code, report = lint_json(cli, "-", input=manifest.encode())
    assert code == 2
    (error,) = report["errors"]
    assert (error["line"], error["column"]) == (1003, 12)


NESTED = 40_000


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * NESTED + "]" * NESTED + "\n",
        "a: " + "{a: " * NESTED + "x" + "}" * NESTED + "\n",
        "- " * NESTED + "x\n",
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_nesting_deeper_than_kubectl_accepts_is_an_input_error_not_a_crash(tmp_path: Path, text: str) -> None:
    # libyaml's composer recurses in C: about 30,000 levels overflowed the stack (a segmentation fault).
    (tmp_path / "deep.yaml").write_text(text)
    result = run_k8stoken("lint", "--format", "json", "deep.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-500:]
    assert "Traceback" not in result.stderr
    (error,) = json.loads(result.stdout)["errors"]
    assert "nested" in error["message"]
    assert error["line"] >= 1 and error["column"] >= 1


def alias_bomb(tmp_path: Path, name: str, lines: list[str], tail: str) -> str:
    (tmp_path / name).write_text("\n".join(lines) + "\n" + tail)
    return name


def doubling_lists(tmp_path: Path) -> str:
    lines = ["l0: &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: b}]}}"]
    lines += [f"l{level}: &l{level} {{kind: List, items: [*l{level - 1}, *l{level - 1}]}}" for level in range(1, 40)]
    return alias_bomb(tmp_path, "lists.yaml", lines, "apiVersion: v1\nkind: List\nitems: [*l39]\n")


def shared_merge_chains(tmp_path: Path) -> str:
    lines = ["a0: &a0 {automountServiceAccountToken: false}", "b0: &b0 {restartPolicy: Never}"]
    for level in range(1, 40):
        lines += [f"a{level}: &a{level} {{<<: [*a{level - 1}, *b{level - 1}]}}"]
        lines += [f"b{level}: &b{level} {{<<: [*b{level - 1}, *a{level - 1}]}}"]
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: chains}\nspec:\n  <<: *a39\n  containers: [{name: a, image: b}]\n"
    )
    return alias_bomb(tmp_path, "chains.yaml", lines, pod)


def doubling_merges(tmp_path: Path) -> str:
    (tmp_path / "merge-key-laughs.yaml").write_text((ADVERSARIAL / "merge-key-laughs.yaml").read_text())
    return "merge-key-laughs.yaml"


@pytest.mark.parametrize("bomb", [doubling_merges, shared_merge_chains, doubling_lists])
@pytest.mark.parametrize("command", [("lint", "--format", "json"), ("fix", "--diff")])
def test_aliases_that_double_at_every_level_are_refused_like_kubectl_does(tmp_path: Path, bomb, command) -> None:
    # A few lines that go-yaml refuses ("excessive aliasing"); followed naively they never finish.
    name = bomb(tmp_path)
    result = run_k8stoken(*command, name, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    if command[0] == "lint":
        assert result.returncode == 2
        (error,) = json.loads(result.stdout)["errors"]
        assert error["message"].startswith("excessive aliasing")
        document_start = next(
            n for n, line in enumerate((tmp_path / name).read_text().splitlines(), 1) if line[0] != "#"
        )
        assert (error["line"], error["column"]) == (document_start, 1)
    else:
        assert result.stdout == "" and "excessive aliasing" in result.stderr


SELF_CONTAINING = {
    "merge": "apiVersion: v1\nkind: Pod\nmetadata: &meta {name: selfish, <<: *meta}\n"
    "spec:\n  containers: [{name: a, image: b}]\n",
    "container": "apiVersion: v1\nkind: Pod\nmetadata: {name: selfish}\n"
    "spec:\n  containers: &c [{name: a, image: b, args: *c}]\n",
    "list": "&top\napiVersion: v1\nkind: List\nitems: [*top]\n",
}


@pytest.mark.parametrize("manifest", SELF_CONTAINING.values(), ids=SELF_CONTAINING)
def test_an_anchor_whose_value_contains_itself_is_an_input_error_as_in_go_yaml(cli, manifest: str) -> None:
    code, report = lint_json(cli, "-", input=manifest)
    assert code == 2
    (error,) = report["errors"]
    assert error["message"] == "an alias refers to a node that contains it"
    fixed = cli("fix", "--diff", "-", input=manifest)
    assert fixed.stdout == "" and "contains it" in fixed.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_a_symlink_loop_inside_a_folder_is_an_unreadable_file_not_a_traceback(cli, tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "pod.yaml").write_text((ADVERSARIAL / "control-character.yaml").read_text().replace("\x07", ""))
    code, report = lint_json(cli, *TOKEN_RULES, str(tmp_path))
    assert code == 2
    assert [error["path"] for error in report["errors"]] == [str(tmp_path / "loop.yaml")]
    assert report["errors"][0]["message"].startswith("cannot read")
    assert [finding["name"] for finding in report["findings"]] == ["bell"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_inside_a_folder_is_passed_over_rather_than_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "pod.yaml").write_text((ADVERSARIAL / "control-character.yaml").read_text().replace("\x07", ""))
    result = run_k8stoken("lint", "--format", "json", *TOKEN_RULES, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-500:]
    report = json.loads(result.stdout)
    assert report["errors"] == [] and [finding["name"] for finding in report["findings"]] == ["bell"]


@pytest.mark.parametrize(
    "field, value",
    [("automountServiceAccountToken", "n"), ("activeDeadlineSeconds", "100")],
)
def test_an_explicit_str_tag_keeps_a_plain_scalar_a_string_as_quotes_do(cli, field: str, value: str) -> None:
    # go-yaml honours `!!str`: the API server receives the string "n", not false.
    job = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: tagged}}\nspec:\n  template:\n    spec:\n"
        "      restartPolicy: Never\n      {field}: {value}\n      containers: [{{name: a, image: b}}]\n"
    )
    _, tagged = lint_json(cli, "-", input=job.format(field=field, value=f"!!str {value}"))
    _, quoted = lint_json(cli, "-", input=job.format(field=field, value=f'"{value}"'))
    assert [(f["rule"], f["line"]) for f in tagged["findings"]] == [(f["rule"], f["line"]) for f in quoted["findings"]]
    assert tagged["findings"]


def token_finding(cli, deadline_key_at: str, value: str) -> str:
    """The token finding (code and message) for a Job with an activeDeadlineSeconds in its spec or its pod spec."""
    job_spec = f"  activeDeadlineSeconds: {value}\n" if deadline_key_at == "job" else ""
    pod_spec = f"      activeDeadlineSeconds: {value}\n" if deadline_key_at == "pod" else ""
    manifest = (
        f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: limits}}\nspec:\n{job_spec}  template:\n    spec:\n"
        f"{pod_spec}      restartPolicy: Never\n      containers: [{{name: a, image: b}}]\n"
    )
    _, report = lint_json(cli, *TOKEN_RULES, "-", input=manifest)
    (finding,) = report["findings"]
    return f"{finding['rule']} {finding['message']}"


@pytest.mark.parametrize(
    "where, value",
    [("pod", "2147483648"), ("pod", "4294967295"), ("job", "9223372036854775808"), ("job", "99999999999999999999999")],
)
def test_a_deadline_beyond_what_the_api_server_stores_is_reported_as_rejected(cli, where: str, value: str) -> None:
    # A pod spec's activeDeadlineSeconds is at most 2**31 - 1 (validation), a Job's at most 2**63 - 1 (an int64).
    message = token_finding(cli, where, value)
    assert message.startswith("KT002 Job/limits: activeDeadlineSeconds") and "the API server rejects" in message


def test_the_largest_deadlines_the_api_server_stores_are_deadlines(cli) -> None:
    assert "may run for 2147483647s" in token_finding(cli, "pod", "2147483647")
    assert "may run for 9223372036854775807s" in token_finding(cli, "job", "9223372036854775807")


def test_a_job_deadline_of_zero_is_accepted_and_ends_the_job_at_once(cli) -> None:
    # Job validation only asks for a non-negative number; the pod spec's must be at least 1.
    assert token_finding(cli, "job", "0").startswith("KT001 ")
    assert "rejects" in token_finding(cli, "pod", "0")


def deeply_nested_arguments(tmp_path: Path) -> str:
    arguments = "[" * 3000 + "]" * 3000  # within the nesting lint accepts, deeper than Python compares
    manifest = (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: deep}}\nspec:\n  containers: [{{name: a, args: {arguments}}}]\n"
    )
    (tmp_path / "deep-arguments.yaml").write_text(manifest)
    return "deep-arguments.yaml"


def number_keyed_replicas(tmp_path: Path) -> str:
    (tmp_path / "replicas.yaml").write_text((ADVERSARIAL / "number-keyed-replicas.yaml").read_text())
    return "replicas.yaml"


@pytest.mark.parametrize("manifest", [deeply_nested_arguments])
def test_fix_refuses_what_it_cannot_verify_with_an_error_not_a_traceback(cli, tmp_path: Path, manifest) -> None:
    name = manifest(tmp_path)
    before = (tmp_path / name).read_text()
    assert cli("lint", "-q", str(tmp_path / name)).exit_code == 1
    result = cli("fix", "--diff", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stdout == "" and "does not verify" in result.stderr
    assert (tmp_path / name).read_text() == before


def test_fix_mounts_the_token_in_a_replica_keyed_by_a_number(cli, tmp_path: Path) -> None:
    name = number_keyed_replicas(tmp_path)
    assert cli("fix", str(tmp_path / name)).exit_code == 0
    assert cli("lint", "--select", "KT001,KT002,KT003", str(tmp_path / name)).exit_code == 0


def test_a_deeply_nested_configuration_is_a_configuration_error(cli, tmp_path: Path) -> None:
    config = tmp_path / "deep.k8stoken.yaml"
    config.write_text("select: " + "[" * 900 + "]" * 900 + "\n")
    result = cli("lint", "--config", str(config), "control-character.yaml")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nested too deeply" in result.stderr and str(config) in result.stderr


def test_a_pyproject_that_only_mentions_the_table_in_a_comment_is_not_a_configuration(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n\n# [tool.k8stoken]\n# select = ["KT011"]\n')
    (tmp_path / "pod.yaml").write_text((ADVERSARIAL / "control-character.yaml").read_text().replace("\x07", ""))
    monkeypatch.chdir(tmp_path)
    result = cli("lint", "-q", "pod.yaml")
    assert result.exit_code == 1, result.stderr
    assert "KT003" in result.stdout


UTF16 = ADVERSARIAL / "utf16-powershell.yaml"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_as_kubectl_reads_it(cli, tmp_path: Path, encoding: str) -> None:
    text = UTF16.read_bytes().decode("utf-16")  # the codec takes the byte order mark off
    (tmp_path / "utf16.yaml").write_bytes(("\ufeff" + text).encode(encoding))
    (tmp_path / "utf8.yaml").write_text(text, newline="")
    code, report = lint_json(cli, *TOKEN_RULES, str(tmp_path / "utf16.yaml"))
    _, plain = lint_json(cli, *TOKEN_RULES, str(tmp_path / "utf8.yaml"))
    assert code == 1 and report["errors"] == []
    assert [(f["line"], f["column"], f["rule"]) for f in report["findings"]] == [
        (f["line"], f["column"], f["rule"]) for f in plain["findings"]
    ]
    assert [(f["line"], f["column"], f["rule"]) for f in report["findings"]] == [(11, 7, "KT003")]


def test_fix_writes_a_utf16_file_back_in_utf16(cli, tmp_path: Path) -> None:
    target = tmp_path / "utf16.yaml"
    target.write_bytes(UTF16.read_bytes())
    assert cli("fix", str(target)).exit_code in (0, 1)
    written = target.read_bytes()
    assert written.startswith(b"\xff\xfe")
    assert "automountServiceAccountToken: false\r\n" in written.decode("utf-16")
    assert cli("lint", "-q", *TOKEN_RULES, str(target)).exit_code == 0


def test_a_broken_utf16_file_is_an_error_at_the_character_that_breaks(cli) -> None:
    data = "\ufeffkind: Pod\nname: ".encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le")  # a lone surrogate
    code, report = lint_json(cli, "-", input=data)
    assert code == 2
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [(2, 7, "invalid UTF-16")]


def test_an_object_that_merges_its_kind_from_another_is_reported_inside_itself(cli) -> None:
    manifest = (
        "apiVersion: v1\nkind: List\nitems:\n- &base\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: first}\n"
        "  spec:\n    containers: [{name: a, image: x}]\n- <<: *base\n  metadata: {name: second}\n"
    )
    _, report = lint_json(cli, *TOKEN_RULES, "-", input=manifest)
    assert [(f["name"], f["line"], f["column"]) for f in report["findings"]] == [("first", 9, 5), ("second", 10, 3)]


@pytest.mark.parametrize(
    "config",
    ['"a\\nb": 1\n', 'severity: {"KT\\n001": error}\n', 'per-file-ignores: {"a\\nb": [KT0001]}\n'],
    ids=["unknown-key", "bad-code", "unknown-code"],
)
def test_a_configuration_key_with_a_line_break_is_shown_on_one_line(cli, tmp_path: Path, config: str) -> None:
    (tmp_path / "k8stoken.yaml").write_text(config)
    result = cli("lint", "--config", str(tmp_path / "k8stoken.yaml"), "control-character.yaml")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert '"a\\nb"' in result.stderr or '"KT\\n001"' in result.stderr


def test_template_actions_in_a_comment_after_a_long_value_are_looked_at_once(tmp_path: Path) -> None:
    # Each action used to rescan its line from the start: a 400 kB line took hours.
    line = 'note: "' + "x" * 200_000 + '" #' + " {{ .Values.x }}" * 20_000 + "\n"
    (tmp_path / "long-comment.yaml").write_text(line)
    result = run_k8stoken("lint", "--format", "json", "long-comment.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-500:]
    assert json.loads(result.stdout)["skipped"] == []


def test_a_serviceaccount_defined_in_many_namespaces_is_named_with_a_few_of_its_places(cli) -> None:
    # One "app" ServiceAccount per namespace and a workload without one: every finding listed all 500 places.
    accounts = "".join(
        f"---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: app, namespace: team{n}}}\n"
        f"automountServiceAccountToken: {'false' if n % 2 else 'true'}\n"
        for n in range(500)
    )
    pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {serviceAccountName: app, containers: [{}]}\n"
    _, report = lint_json(cli, *TOKEN_RULES, "-", input=accounts + pod)
    (finding,) = report["findings"]
    assert "-:3, -:8, -:13 and 497 more" in finding["message"]


@pytest.mark.xfail(
    strict=True,
    reason="admission compares mountPath with the token path as an exact string, so a trailing slash does not stop "
    "the injected token; the model (and the shared reference model) strip the slash. A design decision for the "
    "workload model, left open.",
)
def test_a_token_mount_written_with_a_trailing_slash_does_not_stop_the_injected_token(cli) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: slash}\nspec:\n  containers:\n  - name: app\n    volumeMounts:\n"
        "    - {name: token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount/}\n"
        "  volumes:\n  - name: token\n    projected: {sources: [{serviceAccountToken: {path: token}}]}\n"
    )
    _, report = lint_json(cli, *TOKEN_RULES, "-", input=manifest)
    assert [finding["rule"] for finding in report["findings"]] == ["KT003"]


@pytest.mark.xfail(
    strict=True,
    reason="kubectl, Helm and Argo CD read YAML with go-yaml v2, which applies a merge key where it stands, over the "
    "keys written before it; k8stoken (like kustomize's go-yaml v3 and the YAML merge spec) lets explicit keys win. "
    "Which reading to follow is a design decision, left open.",
)
def test_a_merge_key_after_an_explicit_key_overrides_it_as_kubectl_reads_it(cli) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: order}\nspec:\n  automountServiceAccountToken: false\n"
        "  <<: {automountServiceAccountToken: true}\n  containers: [{name: app}]\n"
    )
    _, report = lint_json(cli, *TOKEN_RULES, "-", input=manifest)
    assert [finding["rule"] for finding in report["findings"]] == ["KT003"]


@pytest.mark.parametrize("given", ["file", "folder"])
def test_output_that_names_an_input_is_refused_and_the_input_kept(cli, tmp_path: Path, given: str) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text((ADVERSARIAL / "control-character.yaml").read_text().replace("\x07", ""))
    before = manifest.read_text()
    result = cli("lint", "--output", str(manifest), str(manifest if given == "file" else tmp_path))
    assert result.exit_code == 2
    assert "--output" in result.stderr and "Traceback" not in result.stderr
    assert manifest.read_text() == before


def test_output_to_an_existing_report_replaces_it(cli, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("x" * 100_000)
    assert cli("lint", "--format", "json", "--output", str(report), "control-character.yaml").exit_code == 2
    assert json.loads(report.read_text())["errors"][0]["path"] == "control-character.yaml"


def test_output_to_standard_output_appended_to_a_log_keeps_the_log(tmp_path: Path) -> None:
    log = tmp_path / "lint.log"
    log.write_text("earlier run\n")
    with log.open("a") as appended:
        subprocess.run(
            [sys.executable, "-m", "k8stoken", "lint", "-o", "-", "control-character.yaml"],
            cwd=ADVERSARIAL,
            stdout=appended,
            timeout=HANG,
        )
    assert log.read_text().startswith("earlier run\n")


def test_a_configuration_with_two_unknown_keys_names_the_first(cli, tmp_path: Path) -> None:
    config = tmp_path / "k8stoken.yaml"
    config.write_text("selct: [KT001]\nignroe: [KT002]\n")
    result = cli("lint", "--config", str(config), "control-character.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {config}:1:1: selct: unknown key; expected one of audience, exclude, ignore, "
        "long-running-threshold, max-expiration, per-file-ignores, select, severity, workloads\n"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_nesting_is_refused_before_a_two_megabyte_stack_runs_out(tmp_path: Path) -> None:
    # python.exe on Windows has 2 MB of stack; at about 300 bytes a level, 9,000 levels crashed the interpreter.
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 9_000 + "]" * 9_000 + "\n")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_STACK, (2 << 20, 2 << 20));"
    result = subprocess.run(
        [sys.executable, "-c", f"{limit} from k8stoken.cli import main; main()", "lint", "deep.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert "nested more than" in result.stderr
