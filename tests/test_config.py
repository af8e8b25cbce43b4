"""The configuration file: where it is found, what it sets, how the command line overrides it, and the
one-line error for each way it can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from k8stoken.config import find_config, load, path_matches

# KT003 (long-lived, auto-mounted token) and KT014 (marked for sidecar injection) by default.
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments}
spec:
  template:
    metadata:
      annotations: {kuma.io/sidecar-injection: enabled}
    spec:
      containers: [{name: app, image: registry.example.com/payments:3}]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with manifests in apps/ and charts/, the working folder at its top."""
    (tmp_path / "apps").mkdir()
    (tmp_path / "charts" / "vendor").mkdir(parents=True)
    (tmp_path / "apps" / "payments.yaml").write_text(DEPLOYMENT)
    (tmp_path / "charts" / "vendor" / "payments.yaml").write_text(DEPLOYMENT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rules_found(cli, *args: str) -> list[tuple[str, str, str]]:
    report = cli("lint", "--format", "json", *args).json()
    return sorted((f["path"], f["rule"], f["severity"]) for f in report["findings"])


def test_without_a_configuration_every_rule_runs(cli, project: Path) -> None:
    assert {rule for _, rule, _ in rules_found(cli, "apps", "charts")} == {"KT003", "KT014"}


def test_yaml_configuration_selects_ignores_and_overrides_severity(cli, project: Path) -> None:
    (project / ".k8stoken.yaml").write_text("ignore: [KT003]\nseverity:\n  KT014: error\nexclude: [vendor]\n")
    assert rules_found(cli, "apps", "charts") == [("apps/payments.yaml", "KT014", "error")]


def test_configuration_is_found_upward_and_globs_are_relative_to_its_folder(cli, project: Path, monkeypatch) -> None:
    (project / ".k8stoken.yaml").write_text("select: [KT003]\nexclude: [charts/vendor]\n")
    monkeypatch.chdir(project / "apps")
    assert rules_found(cli, "payments.yaml", "../charts") == [("payments.yaml", "KT003", "warning")]


def test_pyproject_table_is_read_when_there_is_no_yaml_file(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.k8stoken]\nselect = ["KT014"]\n')
    assert {rule for _, rule, _ in rules_found(cli, "apps")} == {"KT014"}


def test_a_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / "apps" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / ".k8stoken.yaml").write_text("select: [KT003]\n")
    assert find_config(project / "apps") == project / ".k8stoken.yaml"


def test_the_yaml_file_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.k8stoken]\nselect = ["KT014"]\n')
    (project / ".k8stoken.yaml").write_text("select: [KT003]\n")
    assert load(cwd=project).select == ("KT003",)


def test_explicit_config_file_replaces_the_search(cli, project: Path, tmp_path_factory) -> None:
    (project / ".k8stoken.yaml").write_text("select: [KT003]\n")
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "strict.toml"
    elsewhere.write_text('select = ["KT014"]\n')
    assert {rule for _, rule, _ in rules_found(cli, "--config", str(elsewhere), "apps")} == {"KT014"}


def test_per_file_ignores_drop_rules_for_matching_files_only(cli, project: Path) -> None:
    (project / ".k8stoken.yaml").write_text('per-file-ignores:\n  "charts/*": [KT003, KT014]\n')
    assert rules_found(cli, "apps", "charts") == [
        ("apps/payments.yaml", "KT003", "warning"),
        ("apps/payments.yaml", "KT014", "warning"),
    ]


def test_command_line_select_replaces_the_file_and_ignore_adds_to_it(cli, project: Path) -> None:
    (project / ".k8stoken.yaml").write_text("select: [KT014]\nignore: [KT003]\n")
    assert {rule for _, rule, _ in rules_found(cli, "--select", "KT003", "apps")} == {"KT003"}
    assert rules_found(cli, "--ignore", "KT014", "apps") == []


def test_command_line_settings_override_the_file(cli, project: Path) -> None:
    job = (FIXTURES / "rules" / "kt005-positive.yaml").read_text()
    (project / "apps" / "job.yaml").write_text(job)
    (project / ".k8stoken.yaml").write_text("select: [KT005]\nmax-expiration: 700000\n")
    assert len(rules_found(cli, "apps/job.yaml")) == 2  # only the two tokens shorter than their deadline
    assert len(rules_found(cli, "--max-expiration", "86400", "apps/job.yaml")) == 4


def test_settings_reach_the_rules(project: Path) -> None:
    (project / ".k8stoken.yaml").write_text(
        "long-running-threshold: 1200\nmax-expiration: 43200\naudience: https://kubernetes.default.svc\n"
    )
    settings = load(cwd=project).settings
    assert (settings.long_running_threshold, settings.max_expiration, settings.audience) == (
        1200,
        43200,
        "https://kubernetes.default.svc",
    )
    assert settings.root == str(project.resolve())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "selects: [KT001]\n",
            ".k8stoken.yaml:1:1: selects: unknown key; expected one of audience, exclude, ignore, "
            "long-running-threshold, max-expiration, per-file-ignores, select, severity, workloads",
        ),
        (
            "select: KT001\n",
            '.k8stoken.yaml:1:9: select: "KT001" is not allowed; expected a list of rule codes such as [KT001, KT003]',
        ),
        (
            "select: [KT001, 12]\n",
            ".k8stoken.yaml:1:17: select[1]: 12 is not allowed; expected a rule code such as KT001",
        ),
        ("ignore: [KT099]\n", ".k8stoken.yaml: ignore: unknown rule code KT099 (see: k8stoken rules)"),
        (
            "severity:\n  KT003: fatal\n",
            '.k8stoken.yaml:2:10: severity.KT003: "fatal" is not allowed; expected error, warning or info',
        ),
        (
            "severity:\n  kt-3: error\n",
            '.k8stoken.yaml:2:3: severity.kt-3: "kt-3" is not allowed; expected a rule code such as KT001',
        ),
        ("severity:\n  KT099: error\n", ".k8stoken.yaml: severity: unknown rule code KT099 (see: k8stoken rules)"),
        (
            "long-running-threshold: 0\n",
            ".k8stoken.yaml:1:25: long-running-threshold: 0 is not allowed; expected a whole number of seconds "
            "from 1 to 3607 (the auto-mounted token's lifetime)",
        ),
        (
            "long-running-threshold: yes\n",
            ".k8stoken.yaml:1:25: long-running-threshold: true is not allowed; expected a whole number of seconds "
            "from 1 to 3607 (the auto-mounted token's lifetime)",
        ),
        (
            "max-expiration: 300\n",
            ".k8stoken.yaml:1:17: max-expiration: 300 is not allowed; expected a whole number of seconds from 600 "
            "to 4294967296 (the API server's limits)",
        ),
        (
            'max-expiration: "86400"\n',
            '.k8stoken.yaml:1:17: max-expiration: "86400" is not allowed; expected a whole number of seconds from '
            "600 to 4294967296 (the API server's limits)",
        ),
        (
            'audience: ""\n',
            '.k8stoken.yaml:1:11: audience: "" is not allowed; expected a non-empty string, the audience your API '
            "server accepts",
        ),
        (
            "exclude: charts\n",
            '.k8stoken.yaml:1:10: exclude: "charts" is not allowed; expected a list of glob patterns',
        ),
        ('exclude: [""]\n', '.k8stoken.yaml:1:11: exclude[0]: "" is not allowed; expected a non-empty glob pattern'),
        (
            "per-file-ignores: [KT001]\n",
            ".k8stoken.yaml:1:19: per-file-ignores: a list is not allowed; expected a mapping of glob patterns to "
            "lists of rule codes",
        ),
        (
            'per-file-ignores:\n  "charts/*": KT003\n',
            '.k8stoken.yaml:2:15: per-file-ignores.charts/*: "KT003" is not allowed; expected a list of rule codes '
            "such as [KT001, KT003]",
        ),
        (
            'per-file-ignores:\n  "charts/*": [KT099]\n',
            ".k8stoken.yaml: per-file-ignores.charts/*: unknown rule code KT099 (see: k8stoken rules)",
        ),
        ("- KT001\n", ".k8stoken.yaml:1:1: configuration: a list is not allowed; expected a mapping of settings"),
        ("select: [KT001\n", ".k8stoken.yaml:2:1: invalid YAML: did not find expected ',' or ']'"),
        ("select: [KT001]\nselect: [KT002]\n", ".k8stoken.yaml:2:1: duplicate key 'select' (line 1 and line 2)"),
        ("select: [KT001]\n---\nselect: [KT002]\n", ".k8stoken.yaml:3:1: expected one YAML document, found several"),
        (b"select: [\xff]\n", ".k8stoken.yaml:1:10: invalid UTF-8"),
        (  # two problems: the first in the file is reported
            "ignore: 5\nselect: KT001\n",
            ".k8stoken.yaml:1:9: ignore: 5 is not allowed; expected a list of rule codes such as [KT001, KT003]",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and not value.startswith(".") else None,
)
def test_invalid_yaml_configuration_is_one_line_naming_file_and_key(cli, project: Path, text, message: str) -> None:
    path = project / ".k8stoken.yaml"
    path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    result = cli("lint", "apps")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[tool.k8stoken]\nmax-expiration = 10\n",
            "pyproject.toml: tool.k8stoken.max-expiration: 10 is not allowed; expected a whole number of seconds "
            "from 600 to 4294967296 (the API server's limits)",
        ),
        (
            "[tool.k8stoken]\nselect = 'KT001'\n",
            'pyproject.toml: tool.k8stoken.select: "KT001" is not allowed; expected a list of rule codes such as '
            "[KT001, KT003]",
        ),
        (
            "[tool.k8stoken]\nselects = []\n",
            "pyproject.toml: tool.k8stoken.selects: unknown key; expected one of audience, exclude, ignore, "
            "long-running-threshold, max-expiration, per-file-ignores, select, severity, workloads",
        ),
        ("[tool.k8stoken]\nselect = [\n", "pyproject.toml: invalid TOML: "),  # the parser's words follow
    ],
)
def test_invalid_pyproject_configuration_is_one_line(cli, project: Path, text: str, message: str) -> None:
    (project / "pyproject.toml").write_text(text)
    result = cli("lint", "apps")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1


def test_a_pyproject_named_by_config_must_have_the_table(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = cli("lint", "--config", "pyproject.toml", "apps")
    assert (result.exit_code, result.stderr) == (2, "Error: pyproject.toml: no [tool.k8stoken] table\n")


def test_a_missing_config_file_is_one_line(cli, project: Path) -> None:
    result = cli("lint", "--config", "nowhere.yaml", "apps")
    assert (result.exit_code, result.stderr) == (2, "Error: nowhere.yaml: cannot read: No such file or directory\n")


def test_an_empty_configuration_means_the_defaults(cli, project: Path) -> None:
    (project / ".k8stoken.yaml").write_text("# nothing configured yet\n")
    assert {rule for _, rule, _ in rules_found(cli, "apps")} == {"KT003", "KT014"}


def test_jsonschema_is_not_imported_when_there_is_no_configuration(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom pathlib import Path\nfrom k8stoken.config import load\n"
        f"load(cwd=Path({str(tmp_path)!r}))\nprint('jsonschema' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("path", "patterns", "matches"),
    [
        ("charts/vendor/a.yaml", ["vendor"], True),  # a bare name matches any folder of that name
        ("apps/vendor.yaml", ["vendor"], False),
        ("apps/a.yaml", ["a.yaml"], True),
        ("charts/vendor/a.yaml", ["charts/*"], True),  # `*` also crosses folders
        ("charts/vendor/a.yaml", ["charts/vendor"], True),  # a folder excludes what is below it
        ("apps/charts/a.yaml", ["charts/*"], False),  # patterns with `/` start at the configuration's folder
        ("apps/charts/a.yaml", ["**/charts/*"], True),
        ("charts/a.yaml", ["**/charts/*"], True),
        ("-", ["*"], False),  # standard input is never excluded
    ],
)
def test_path_patterns(tmp_path: Path, monkeypatch, path: str, patterns: list[str], matches: bool) -> None:
    monkeypatch.chdir(tmp_path)
    assert path_matches(path, patterns, str(tmp_path)) is matches


def readme_example(language: str, first_line: str) -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Configuration\n", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split(f"```{language}\n")[1:]]
    (block,) = [block for block in blocks if block.startswith(first_line)]
    return block


@pytest.mark.parametrize(
    ("name", "language", "first_line"),
    [(".k8stoken.yaml", "yaml", "# .k8stoken.yaml"), ("pyproject.toml", "toml", "# pyproject.toml")],
)
def test_the_readme_configuration_examples_are_valid(project: Path, name: str, language: str, first_line: str) -> None:
    (project / name).write_text(readme_example(language, first_line))
    config = load(cwd=project)
    assert config.path == name
    assert config.settings.severity == {"KT003": "error"}


def test_fix_leaves_excluded_files_and_silenced_workloads_alone(cli, project: Path) -> None:
    (project / ".k8stoken.yaml").write_text("exclude: [vendor]\n")
    plain = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: web\n        image: registry.example.com/web:1\n"
    )
    silenced = plain.replace("  name: web\n", '  name: web\n  annotations:\n    k8stoken.io/ignore: "KT003"\n')
    (project / "apps" / "web.yaml").write_text(plain)
    (project / "apps" / "silenced.yaml").write_text(silenced)
    (project / "charts" / "vendor" / "web.yaml").write_text(plain)
    result = cli("fix", "apps/web.yaml", "apps/silenced.yaml", "charts")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("fixed apps/web.yaml: Deployment/web")
    assert (project / "charts" / "vendor" / "web.yaml").read_text() == plain
    assert (project / "apps" / "silenced.yaml").read_text() == silenced
    assert "automountServiceAccountToken: false" in (project / "apps" / "web.yaml").read_text()
