"""Silencing findings: the `k8stoken.io/ignore` annotation and `# k8stoken: ignore` comments, counted in the
summary and shown again by --no-ignore."""

from __future__ import annotations

import pickle

import pytest
from k8stoken.suppress import ignore_comments

# Each object gets KT003 at its pod spec (the `containers` line) when nothing is suppressed.
WORKLOAD = """\
apiVersion: apps/v1{first}
kind: Deployment
metadata:
  name: {name}{annotations}
spec:
  template:{template}
    spec:
      containers: [{{name: app, image: registry.example.com/app:1}}]{flagged}
"""


def workload(name: str = "app", first: str = "", annotations: str = "", template: str = "", flagged: str = "") -> str:
    return WORKLOAD.format(name=name, first=first, annotations=annotations, template=template, flagged=flagged)


def annotated(value: str) -> str:
    return f"\n  annotations:\n    k8stoken.io/ignore: {value}"


def lint(cli, text: str, *args: str) -> dict:
    result = cli("lint", "--format", "json", *args, "-", input=text)
    report = result.json()
    assert report["errors"] == []
    assert result.exit_code == (1 if report["findings"] else 0)
    return report


def reported(report: dict) -> list[tuple[str, str]]:
    return [(f["rule"], f["name"]) for f in report["findings"]]


@pytest.mark.parametrize(
    "text",
    [
        workload(annotations=annotated('"KT003"')),
        workload(annotations=annotated('"KT001, kt003"')),
        workload(template="\n    metadata:\n      annotations: {k8stoken.io/ignore: 'KT002,KT003'}"),
        workload(first="  # k8stoken: ignore[KT003]"),
        workload(first="  # k8stoken: ignore"),
        workload(flagged="  # k8stoken: ignore[KT001,KT003]"),
        "# k8stoken: ignore[KT003]\n" + workload(),
        "--- # k8stoken: ignore[KT003]\n" + workload(),
    ],
    ids=[
        "annotation",
        "annotation-list",
        "template-annotation",
        "comment-first-line",
        "comment-bare",
        "comment-flagged-line",
        "comment-line-above",
        "comment-on-document-marker",
    ],
)
def test_suppressed_finding_is_counted_not_reported(cli, text: str) -> None:
    report = lint(cli, text)
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == 1
    shown = lint(cli, text, "--no-ignore")
    assert reported(shown) == [("KT003", "app")]
    assert shown["summary"]["suppressed"] == 0


@pytest.mark.parametrize(
    "text",
    [
        workload(annotations=annotated('"KT001"')),  # another rule
        workload(annotations=annotated("yes")),  # not a string: the API server rejects it too
        workload(annotations=annotated("true")),
        workload(first="  # k8stoken: ignore[KT001]"),
        workload(first="  # k8stoken: ignore[]"),
        workload(first="  # k8stoken: ignored"),
        workload(first="  # see k8stoken: ignore"),  # the mark must open the comment
        workload(annotations='\n  annotations:\n    note: "# k8stoken: ignore"'),  # inside a string
    ],
    ids=[
        "other-rule",
        "unquoted-yes",
        "unquoted-true",
        "comment-other-rule",
        "empty-list",
        "ignored",
        "prose",
        "string",
    ],
)
def test_what_does_not_suppress(cli, text: str) -> None:
    report = lint(cli, text)
    assert reported(report) == [("KT003", "app")]
    assert report["summary"]["suppressed"] == 0


def test_an_unquoted_annotation_says_why_it_is_not_honoured(cli) -> None:
    (finding,) = lint(cli, workload(annotations=annotated("yes")))["findings"]
    assert "k8stoken.io/ignore annotation is not a quoted string" in finding["message"]


def test_a_comment_on_one_object_leaves_the_next_object_alone(cli) -> None:
    text = workload(name="quiet", first="  # k8stoken: ignore") + "---\n" + workload(name="loud")
    report = lint(cli, text)
    assert reported(report) == [("KT003", "loud")]
    assert report["summary"]["suppressed"] == 1


def test_the_text_summary_counts_suppressed_findings(cli) -> None:
    result = cli("lint", "-", input=workload(annotations=annotated('"KT003"')))
    assert (
        result.stdout.splitlines()[-1] == "No findings in 1 file(s). 1 finding(s) suppressed (--no-ignore shows them)."
    )


def test_comments_are_collected_only_from_texts_that_mention_them() -> None:
    assert ignore_comments(workload()) == {}
    ignored = ignore_comments("a: 1  # k8stoken: ignore[KT001, KT002]\r\n# k8stoken: ignore\r\nb: 2\r\n")
    assert ignored == {1: frozenset({"KT001", "KT002"}), 2: None, 3: None}
    assert pickle.loads(pickle.dumps(ignored)) == ignored  # travels back from parsing workers
