"""Golden fixtures for `k8stoken fix`: every `tests/fixtures/fix/NAME.yaml` is copied, fixed in place through the
CLI (so decoding, the BOM, the atomic write and the file mode are part of the run) and must then equal
`NAME.fixed.yaml` byte for byte. A second run must change nothing.

The expected files were written by hand. Their data is also checked on its own: the fixed file must read as the
input plus exactly the token fix, so a wrong golden cannot pass unnoticed.

Inputs of the shared cases (../shared/cases/README.md): spark-driver-pod (B01), deployment-2-space (B02),
token-at-custom-path (B05), vault-statefulset (B06), existing-volumes (B07), init-containers (B08),
default-serviceaccount (B09), sidecar-injection (B14), legacy-secret-token (B17), automount-false (B19),
serviceaccount-opt-out (B20), argo-workflow (B11), explicit-true-comment (B26), helm-comment-only-document (B27),
indented-sequences (B29), long-lines (B31), document-markers (B32), quotes-block-scalars (B34), merge-keys (B40).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.nodes import MappingNode, SequenceNode

FIX_FIXTURES = FIXTURES / "fix"
INPUTS = sorted(path for path in FIX_FIXTURES.glob("*.yaml") if not path.name.endswith(".fixed.yaml"))
# Inputs that fix must refuse: a clean error, exit 2, the file left as it was.
REFUSED = sorted((FIX_FIXTURES / "refused").glob("*.yaml"))
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
BOM = b"\xef\xbb\xbf"
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# Fixtures whose workloads must not be touched: sidecar injection, a long-lived Secret token already at the
# token path, automount off in the pod spec or in the ServiceAccount, pods built by an operator (Argo, Spark).
UNCHANGED = {
    "sidecar-injection",
    "legacy-secret-token",
    "automount-false",
    "serviceaccount-opt-out",
    "argo-workflow",
    "spark-application",
}


def expected_of(source: Path) -> Path:
    return source.with_name(f"{source.stem}.fixed.yaml")


def fix_copy(cli, tmp_path: Path, source: Path):
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    target.chmod(0o640)
    return target, cli("fix", str(target))


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_fix_output_matches_golden(cli, tmp_path: Path, source: Path) -> None:
    target, result = fix_copy(cli, tmp_path, source)
    assert result.exit_code in (0, 1), result.stderr
    assert "error" not in result.stderr
    actual, expected = target.read_bytes(), expected_of(source).read_bytes()
    assert actual.splitlines(keepends=True) == expected.splitlines(keepends=True)
    assert actual == expected
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in tmp_path.iterdir()) == [source.name]  # no temporary file left behind


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_second_fix_changes_nothing(cli, tmp_path: Path, source: Path) -> None:
    target = tmp_path / source.name
    shutil.copyfile(expected_of(source), target)
    result = cli("fix", str(target))
    assert result.exit_code in (0, 1), result.stderr
    assert target.read_bytes() == expected_of(source).read_bytes()
    assert "fixed" not in result.stdout


@pytest.mark.parametrize("source", REFUSED, ids=lambda path: path.stem)
def test_unsafe_fix_is_refused_without_writing(cli, tmp_path: Path, source: Path) -> None:
    target, result = fix_copy(cli, tmp_path, source)
    assert result.exit_code == 2
    assert f"{target}:1:1: error: " in result.stderr
    assert result.stderr.rstrip().endswith("not written")
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == source.read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == [source.name]


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_golden_is_the_input_plus_the_token_fix(source: Path) -> None:
    before, after = source.read_bytes(), expected_of(source).read_bytes()
    assert before.startswith(BOM) == after.startswith(BOM)
    assert before.endswith(b"\n") == after.endswith(b"\n")
    if b"\r\n" in before and b"\n" not in before.replace(b"\r\n", b""):
        assert b"\n" not in after.replace(b"\r\n", b""), "an inserted line ends in LF in a CRLF file"
    if source.stem in UNCHANGED:
        assert after == before
        return
    old_documents, new_documents = load(before), load(after)
    fixed = 0
    for old_document, new_document in zip(old_documents, new_documents, strict=True):
        for old, new in zip(objects(old_document), objects(new_document), strict=True):
            if old != new:
                assert_token_fix(old, new)
                fixed += 1
    assert fixed, "the golden changes no object"


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_json_input_stays_json(source: Path) -> None:
    try:
        json.loads(source.read_bytes())
    except ValueError:
        return  # YAML, not JSON
    json.loads(expected_of(source).read_bytes())


class PlainConstructor(SafeConstructor):
    """Custom tags (`!env NAME`) read as the data they tag."""


PlainConstructor.add_multi_constructor(
    "",
    lambda constructor, _, node: (
        constructor.construct_mapping(node, deep=True)
        if isinstance(node, MappingNode)
        else constructor.construct_sequence(node, deep=True)
        if isinstance(node, SequenceNode)
        else constructor.construct_scalar(node)
    ),
)


def load(data: bytes) -> list:
    loader = YAML(typ="safe")  # libyaml when installed: ruamel's own scanner refuses a tab before a comment
    loader.version = (1, 1)
    loader.Constructor = PlainConstructor
    return list(loader.load_all(data.removeprefix(BOM).decode("utf-8")))


def objects(document: object) -> list[dict]:
    if isinstance(document, dict) and str(document.get("kind", "")).endswith("List"):
        return [obj for item in document.get("items") or [] for obj in objects(item)]
    return [document] if isinstance(document, dict) else []


def pod_spec(obj: dict) -> dict:
    spec = obj
    for key in POD_SPEC_PATHS.get(obj["kind"], ("spec", "template", "spec")):
        spec = spec[key]
    return spec


def containers(spec: dict) -> list[dict]:
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def assert_token_fix(old: dict, new: dict) -> None:
    """new == old plus automount off, one complete projected volume, one read-only token mount per container."""
    old_spec, new_spec = pod_spec(old), pod_spec(new)
    assert new_spec["automountServiceAccountToken"] is False
    old_volumes, new_volumes = old_spec.get("volumes") or [], new_spec["volumes"]
    assert new_volumes[:-1] == old_volumes
    volume = new_volumes[-1]
    name = volume["name"]
    assert not name.startswith("kube-api-access-")
    assert name not in {v.get("name") for v in old_volumes}
    assert volume == {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 86400}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {
                    "downwardAPI": {
                        "items": [
                            {"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}
                        ]
                    }
                },
            ],
        },
    }
    for old_container, new_container in zip(containers(old_spec), containers(new_spec), strict=True):
        old_mounts, new_mounts = old_container.get("volumeMounts") or [], new_container["volumeMounts"]
        assert new_mounts == [*old_mounts, {"name": name, "mountPath": TOKEN_PATH, "readOnly": True}]
        assert [m["mountPath"] for m in new_mounts].count(TOKEN_PATH) == 1
        assert {**new_container, "volumeMounts": old_mounts} == {**old_container, "volumeMounts": old_mounts}
    restored = {**new_spec, "volumes": old_volumes, "containers": [], "initContainers": []}
    original = {**old_spec, "volumes": old_volumes, "containers": [], "initContainers": []}
    restored["automountServiceAccountToken"] = old_spec.get("automountServiceAccountToken")
    original["automountServiceAccountToken"] = old_spec.get("automountServiceAccountToken")
    assert restored == original
    assert without_pod_spec(old) == without_pod_spec(new)


def without_pod_spec(obj: dict) -> dict:
    path = POD_SPEC_PATHS.get(obj["kind"], ("spec", "template", "spec"))
    copy = {**obj}
    node = copy
    for key in path[:-1]:
        node[key] = {**node[key]}
        node = node[key]
    node[path[-1]] = None
    return copy
