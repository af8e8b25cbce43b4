"""Third-party rules: a package that declares a `k8stoken.rules` entry point is installed with pip and runs.

The rule packages under tests/fixtures/plugins are built into wheels here (a wheel is a zip file with its
metadata beside the code, so no build backend or network is needed) and installed by pip into a folder
that the k8stoken process finds on PYTHONPATH, as it would find them in site-packages.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

PLUGINS = FIXTURES / "plugins"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
      - name: web
        image: registry.example.com/web:1
"""


def build_wheel(source: Path, into: Path) -> Path:
    """A wheel of the package in `source`, from its pyproject.toml (name, version, entry points)."""
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    stem = f"{name.replace('-', '_')}-{version}"
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*.py")):
        files[path.relative_to(source).as_posix()] = path.read_bytes()
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items()) + "\n"
        for group, points in project["entry-points"].items()
    )
    info = f"{stem}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: k8stoken-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{info}/entry_points.txt"] = entry_points.encode()
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    wheel = into / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def pip_install(wheel: Path, target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder with the working plugin installed by pip."""
    folder = tmp_path_factory.mktemp("plugins")
    pip_install(build_wheel(PLUGINS / "k8stoken-named-accounts", folder), folder / "site")
    return folder / "site"


def k8stoken(site: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "k8stoken", *args], input=input, capture_output=True, text=True, env=env, check=False
    )


def test_pip_installed_the_plugin_with_its_entry_point(site: Path) -> None:
    (info,) = site.glob("k8stoken_named_accounts-1.0.0.dist-info")
    assert "XT001 = k8stoken_named_accounts.default_account" in (info / "entry_points.txt").read_text()


def test_an_installed_plugin_is_listed_by_rules(site: Path) -> None:
    result = k8stoken(site, "rules")
    assert result.returncode == 0, result.stderr
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("XT001")]
    assert row.split()[:4] == ["XT001", "default-serviceaccount", "warning", "-"]
    assert "KT015" in result.stdout  # the built-in rules are all still there


def test_an_installed_plugin_runs_and_can_be_selected(site: Path) -> None:
    everything = k8stoken(site, "lint", "-", input=DEPLOYMENT)
    assert everything.returncode == 1
    assert "-:7:7: XT001 [warning] Deployment/web runs as the default ServiceAccount" in everything.stdout
    selected = k8stoken(site, "lint", "--select", "XT001", "--format", "json", "-", input=DEPLOYMENT)
    assert selected.returncode == 1 and '"rule": "XT001"' in selected.stdout
    ignored = k8stoken(site, "lint", "--ignore", "XT001", "-", input=DEPLOYMENT)
    assert ignored.returncode == 0, ignored.stdout


def test_an_installed_plugin_is_explained_from_its_docstring(site: Path) -> None:
    result = k8stoken(site, "explain", "XT001")
    assert result.returncode == 0
    assert result.stdout.startswith("XT001 default-serviceaccount [warning]")
    assert "How to fix:" in result.stdout


def test_a_plugin_that_cannot_be_imported_is_a_one_line_error(tmp_path: Path, site: Path) -> None:
    pip_install(build_wheel(PLUGINS / "k8stoken-broken-rule", tmp_path), tmp_path / "site")
    env_path = f"{tmp_path / 'site'}{os.pathsep}{site}"
    for args in (("rules",), ("lint", "-")):
        result = k8stoken(Path(env_path), *args, input=DEPLOYMENT)
        assert result.returncode == 2
        assert result.stderr == (
            "Error: plugin rule 'XT900' (k8stoken_broken_rule.rule) cannot be loaded: "
            "ModuleNotFoundError: No module named 'k8stoken_missing_helpers'\n"
        )
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "k8stoken.rules.kt003_long_lived_workload_token",
            "plugin rule 'mine' (k8stoken.rules.kt003_long_lived_workload_token) uses code KT003, "
            "which k8stoken already uses",
        ),
        ("k8stoken.model", "plugin rule 'mine' (k8stoken.model) is not a rule: AttributeError: "),
        (
            "k8stoken.no_such_module",
            "plugin rule 'mine' (k8stoken.no_such_module) cannot be loaded: ModuleNotFoundError: ",
        ),
    ],
)
def test_entry_points_that_are_not_usable_rules(monkeypatch, value: str, message: str) -> None:
    from importlib.metadata import EntryPoint

    import k8stoken.rules as catalogue

    monkeypatch.setattr(catalogue, "_plugin_entry_points", lambda: [EntryPoint("mine", value, "k8stoken.rules")])
    with pytest.raises(catalogue.PluginError) as raised:
        catalogue.load_rules()
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_the_documented_example_is_the_tested_plugin() -> None:
    guide = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
    module = (PLUGINS / "k8stoken-named-accounts" / "k8stoken_named_accounts" / "default_account.py").read_text()
    assert f"```python\n{module}```" in guide
