"""A rule's docstring as Markdown: the docs/rules pages, the README rule table and SARIF help.

The docstring is the single source (yamllint style); everything here is a rendering of it, so the
pages and `k8stoken explain` cannot disagree.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

# A paragraph that opens with a short capitalised label ("Why:", "How to fix:") starts a section.
_SECTION = re.compile(r"^([A-Z][a-z]+(?: [a-z]+){0,3}):(?:\s+|$)")
_YAML_LINE = re.compile(r"^\s*(?:- |[\w./-]+:(?:\s|$)|#)")
GENERATOR = "scripts/gen_docs.py"


def rule_text(rule: Any) -> str:
    """The documentation as plain text, as `k8stoken explain` prints it."""
    return inspect.cleandoc(rule.doc)


def rule_markdown(rule: Any) -> str:
    """A full page for one rule: title, summary, default severity, fixability, then the doc's sections."""
    summary, _, body = rule_text(rule).partition("\n")
    fix = "yes, by `k8stoken fix`" if rule.fixable else "no"
    header = [
        f"# {rule.code} {rule.name}",
        "",
        summary.strip(),
        "",
        "| Default severity | Fixable |",
        "| --- | --- |",
        f"| {rule.severity} | {fix} |",
        "",
    ]
    footer = [
        "",
        f"<!-- Generated from the rule's docstring by {GENERATOR}; edit the rule, then rerun it. -->",
    ]
    return "\n".join(header + body_markdown(body, heading="##") + footer) + "\n"


def body_markdown(text: str, heading: str = "##") -> list[str]:
    """Docstring paragraphs to Markdown: labelled paragraphs become headings, indented blocks fenced code."""
    lines = text.strip("\n").splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("    ") and (not out or out[-1] == ""):
            block, index = _indented_block(lines, index)
            out += [f"```{_language(block)}", *block, "```"]
            continue
        section = _SECTION.match(line) if not out or out[-1] == "" else None
        if section:
            rest = line[section.end() :]
            out += [f"{heading} {section.group(1)}", ""]
            if rest:
                out.append(rest[0].upper() + rest[1:])
        elif line.strip() or (out and out[-1] != ""):
            out.append(line.rstrip())
        index += 1
    return out


def first_paragraph(body: str) -> str:
    """The first paragraph after the summary, on one line, without its section label."""
    paragraph = body.strip().split("\n\n", 1)[0]
    text = " ".join(line.strip() for line in paragraph.splitlines())
    section = _SECTION.match(text)
    rest = text[section.end() :] if section else text
    return rest[:1].upper() + rest[1:]


def _indented_block(lines: list[str], start: int) -> tuple[list[str], int]:
    end = start
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line[4:] for line in lines[start:end]], end


def _language(block: list[str]) -> str:
    return "yaml" if any(_YAML_LINE.match(line) for line in block if line.strip()) else "text"


def rules_table(rules: Iterable[Any], link_prefix: str = "docs/rules/") -> str:
    """The README's rule table, one row per rule, linking to its page."""
    rows = [
        "| Code | Name | Severity | Fixable | What it finds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        summary = rule_text(rule).partition("\n")[0].strip().replace("|", "\\|")
        fix = "yes" if rule.fixable else "no"
        rows.append(
            f"| [{rule.code}]({link_prefix}{rule.code}.md) | `{rule.name}` | {rule.severity} | {fix} | {summary} |"
        )
    return "\n".join(rows) + "\n"
