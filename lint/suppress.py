"""Findings silenced by the user: a `k8stoken.io/ignore` annotation or a `# k8stoken: ignore` comment.

The annotation survives Helm and Kustomize rendering (comments do not); its value must be a
string, since the API server rejects an unquoted `yes` or `true` in annotations. A comment applies
to its own line and, when it stands alone on its line (or after `---`), to the next line too; on
an object's first line it silences the whole object. Comments are not part of YAML nodes, so they
are collected from the text, and only from texts that mention `k8stoken:`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .model import KubeObject, Workload

IGNORE_ANNOTATION = "k8stoken.io/ignore"
COMMENT_MARK = "k8stoken:"
# YAML starts a comment at a `#` that opens the line or follows whitespace.
_IGNORE_COMMENT = re.compile(r"(?:^|\s)#\s*k8stoken:\s*ignore(?:\[([^\]]*)\])?(?=\s|$)")
_CODE_SEPARATOR = re.compile(r"[\s,]+")

# Line -> the rule codes ignored there; None means every rule.
IgnoredLines = dict[int, "frozenset[str] | None"]


def parse_codes(text: str) -> frozenset[str]:
    return frozenset(code.upper() for code in _CODE_SEPARATOR.split(text) if code)


def ignore_comments(text: str) -> IgnoredLines:
    """The `# k8stoken: ignore[...]` comments of a text, by the lines they apply to (1-based)."""
    ignored: IgnoredLines = {}
    if COMMENT_MARK not in text:
        return ignored
    for number, line in enumerate(text.split("\n"), 1):
        if COMMENT_MARK not in line:
            continue
        match = _IGNORE_COMMENT.search(line)
        if match is None:
            continue
        codes = None if match.group(1) is None else parse_codes(match.group(1))
        standalone = line[: match.start()].strip() in ("", "---")
        for target in (number, number + 1) if standalone else (number,):
            ignored[target] = _merge(ignored.get(target, frozenset()), codes)
    return ignored


def _merge(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    return None if first is None or second is None else first | second


def _covers(codes: frozenset[str] | None, rule: str) -> bool:
    return codes is None or rule in codes


def _annotation_values(obj: KubeObject) -> list[object]:
    sources: list[Mapping[str, object]] = [obj.annotations]
    if isinstance(obj, Workload):
        sources.append(obj.template_annotations)
    return [values[IGNORE_ANNOTATION] for values in sources if IGNORE_ANNOTATION in values]


def annotation_ignores(obj: KubeObject, rule: str) -> bool:
    return any(isinstance(value, str) and rule in parse_codes(value) for value in _annotation_values(obj))


def has_unquoted_annotation(obj: KubeObject) -> bool:
    """An ignore annotation that is not a string: neither the API server nor k8stoken accepts it."""
    return any(not isinstance(value, str) for value in _annotation_values(obj))


def is_suppressed(rule: str, line: int, obj: KubeObject, comments: IgnoredLines) -> bool:
    if annotation_ignores(obj, rule):
        return True
    return any(target in comments and _covers(comments[target], rule) for target in (line, obj.first_line))
