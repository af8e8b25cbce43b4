"""The fast paths of parsing keep the results of the plain ones: the precomputed resolver, duplicate keys
caught while composing, the pure-Python composer, file discovery, plugin discovery and --jobs.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import astuple

import pytest
from k8stoken import engine
from k8stoken.load import Source, compose, compose_all_pure, discover
from k8stoken.rules import load_rules
from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode

SCALARS = """\
plain: text
quoted: "yes"
booleans: [y, Y, yes, No, on, OFF, true, False]
nulls: [~, null, Null, ]
ints: [0, 42, -7, +3, 0644, 0x1F, 0b101, 1_000, "12"]
base60: 190:20:30
floats: [1.5, -.5, 6.8523015e+5, 1e3, .inf, -.Inf, .NaN]
base60_float: 190:20:30.15
date: 2001-12-14
timestamp: 2001-12-14t21:59:43.10-05:00
tagged: [!!str 5, !!int "7", !custom value]
base: &base {a: 1}
merged:
  <<: *base
  b: 2
'': empty key
=: value key
"""


def _tags(documents: list) -> list[tuple]:
    found = []

    def walk(node) -> None:
        found.append((node.tag, node.value if isinstance(node, ScalarNode) else None, node.start_mark.line))
        if isinstance(node, ScalarNode):
            return
        for item in node.value:
            for child in item if isinstance(item, tuple) else (item,):
                walk(child)

    for document in documents:
        walk(document)
    return found


def test_tags_are_those_of_ruamels_yaml_11_resolver() -> None:
    stock = YAML(typ="safe")
    stock.version = (1, 1)
    expected = _tags(list(stock.compose_all(SCALARS)))
    assert _tags(compose(SCALARS)) == expected
    assert ("tag:yaml.org,2002:int", "0644", 4) in expected  # the table really holds YAML 1.1 rules


def test_the_pure_python_composer_builds_the_same_nodes() -> None:
    assert _tags(compose_all_pure(SCALARS)) == _tags(compose(SCALARS))


@pytest.mark.parametrize("composer", [compose, compose_all_pure], ids=["libyaml", "pure"])
def test_the_first_duplicate_key_in_document_order_is_reported_with_both_lines(composer) -> None:
    text = (
        "kind: A\n"  # line 1: a clean document
        "metadata: {name: x}\n"
        "---\n"
        "kind: A\n"  # line 4: the same keys again, in a new document, are fine
        "spec:\n"
        "  template:\n"
        "    spec:\n"
        "      image: a\n"
        "      image: b\n"  # line 9: the first duplicate
        "kind: B\n"  # line 10: a later one
    )
    with pytest.raises(Exception, match=r"duplicate key 'image' \(line 8 and line 9\)") as raised:
        composer(text)
    error = raised.value
    assert (error.line, error.column) if composer is compose else astuple(error.position) == (9, 7)


def test_merge_keys_aliases_and_equal_keys_in_sibling_mappings_are_not_duplicates() -> None:
    text = (
        "base: &base {name: a, port: 1}\n"
        "first: {<<: *base, name: b}\n"
        "second:\n"
        "  <<: *base\n"
        "  <<: {extra: 1}\n"
        "  name: c\n"
        "again: *base\n"
    )
    assert len(compose(text)) == 1


def test_discovery_lists_manifests_sorted_once_each_without_following_linked_folders(tmp_path) -> None:
    for name in ("b/two.yaml", "a/one.yml", "a/.hidden.yaml", ".git/skip.yaml", "notes.txt", "z.yaml", ".ci/ci.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("kind: A\n")
    (tmp_path / "b" / "again.yaml").symlink_to(tmp_path / "z.yaml")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    root = str(tmp_path)
    sources, missing = discover([root, os.path.join(root, "z.yaml"), os.path.join(root, "nowhere.yaml")])
    assert [source.path for source in sources] == [
        os.path.join(root, "z.yaml"),  # a folder's files come before its subfolders
        os.path.join(root, ".ci", "ci.yaml"),
        os.path.join(root, "a", "one.yml"),
        os.path.join(root, "b", "two.yaml"),  # b/again.yaml links to z.yaml: a repeat, as is the z.yaml named after
    ]
    assert missing == [os.path.join(root, "nowhere.yaml")]


def _manifests(folder, count: int) -> None:
    for number in range(count):
        account = "" if number % 3 else f"---\nkind: ServiceAccount\napiVersion: v1\nmetadata: {{name: sa{number}}}\n"
        body = (
            f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: job{number}}}\n"
            f"spec:\n  template:\n    spec:\n      serviceAccountName: sa{number}\n"
            f"      containers: [{{name: c, image: app}}]\n"
        )
        broken = "key: [unclosed\n" if number == 7 else ""
        (folder / f"m{number:03d}.yaml").write_text(body + account + broken)


def test_two_jobs_report_exactly_what_one_job_reports(cli, tmp_path, monkeypatch) -> None:
    _manifests(tmp_path, 3 * engine.MIN_FILES_PER_WORKER)
    pools = []
    real_context = engine._pool_context
    monkeypatch.setattr(engine, "_pool_context", lambda: pools.append(1) or real_context())
    one = cli("lint", "--format", "json", "--jobs", "1", str(tmp_path))
    assert not pools
    two = cli("lint", "--format", "json", "--jobs", "2", str(tmp_path))
    assert pools, "two jobs over this many files use worker processes"
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)
    assert json.loads(one.stdout)["summary"]["unreadable"] == 1


def test_standard_input_keeps_its_place_among_files_parsed_in_parallel(tmp_path) -> None:
    _manifests(tmp_path, 3 * engine.MIN_FILES_PER_WORKER)
    sources, _ = discover([str(tmp_path)])
    sources.insert(5, Source("-"))
    parsed = engine.parse_all(sources, b"kind: ServiceAccount\nmetadata: {name: from-stdin}\n", jobs=2)
    assert [file.path for file in parsed] == [source.path for source in sources]
    assert parsed[5].objects[0].name == "from-stdin"


def test_a_few_files_are_parsed_in_this_process(tmp_path, monkeypatch) -> None:
    _manifests(tmp_path, 3)
    monkeypatch.setattr(engine, "_pool_context", lambda: pytest.fail("no pool for three files"))
    sources, _ = discover([str(tmp_path)])
    assert len(engine.parse_all(sources, jobs=8)) == 3


def test_the_default_number_of_jobs_is_the_cpus_this_process_may_use(monkeypatch) -> None:
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this platform")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert engine.available_cpus() == 1


PLUGIN = '''"""Demo rule from a plugin."""
CODE = "ZZ900"
NAME = "demo-plugin-rule"
SEVERITY = "info"


def check(obj, context):
    return iter(())
'''


def test_a_rule_declared_by_an_installed_distribution_is_loaded(tmp_path, monkeypatch) -> None:
    assert "ZZ900" not in load_rules()
    (tmp_path / "k8stoken_demo_plugin.py").write_text(PLUGIN)
    metadata = tmp_path / "k8stoken_demo_plugin-1.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: k8stoken-demo-plugin\nVersion: 1.0\n")
    (metadata / "entry_points.txt").write_text("[k8stoken.rules]\nZZ900 = k8stoken_demo_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "k8stoken_demo_plugin", raising=False)
    rule = load_rules()["ZZ900"]
    assert (rule.name, rule.origin) == ("demo-plugin-rule", "k8stoken_demo_plugin")
