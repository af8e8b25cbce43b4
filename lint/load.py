"""Bytes to YAML documents with positions: finding files, decoding them, composing nodes."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node

from .yaml_nodes import DuplicateKeyError, check_duplicate_keys

YAML_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
# Folders that never hold manifests (version control, tool caches, virtualenvs), as ruff does.
# Other hidden folders are searched: `.chainsaw-test/` or `.argocd/` hold real manifests.
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".jj",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".direnv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".cache",
        ".idea",
        ".vscode",
        "node_modules",
        "__pycache__",
    }
)
BOM = "\ufeff"

# A Go template action that needs rendering: `{{ .Values.x }}`, `{{- if ... }}`, `{{ include ... }}`.
# Argo (`{{inputs.parameters.x}}`) and Kyverno (`{{ request.object }}`) expressions are valid YAML
# strings kept as they are, so they must not match.
GO_TEMPLATE = re.compile(
    r"\{\{-?\s*(?:[.$]|(?:if|else|end|range|with|include|template|define|block|toYaml|tpl|"
    r"printf|required|default|quote|lookup)\b)"
)


class InputError(Exception):
    """An input that cannot be read or parsed; carries a 1-based position when known."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class TemplateSkipped(InputError):
    """A Go/Helm template: not an error, but nothing to lint before it is rendered."""


@dataclass(slots=True)
class Source:
    """One input as the user named it: a file path, or ``-`` for standard input."""

    path: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


@dataclass(slots=True)
class Text:
    """A decoded input: the text without its BOM, and whether it had one."""

    content: str
    bom: bool


def discover(paths: list[str]) -> tuple[list[Source], list[str]]:
    """Expand the user's paths into sources; also returns the paths that do not exist."""
    sources: list[Source] = []
    missing: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            sources.append(Source(STDIN))
            continue
        candidates = list(_walk(Path(path))) if os.path.isdir(path) else [path]
        if not os.path.lexists(path):
            missing.append(path)
            continue
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                sources.append(Source(candidate))
    return sources, missing


def _walk(folder: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                yield os.path.join(root, name)


def read(source: Source) -> bytes:
    try:
        if source.is_stdin:
            return sys.stdin.buffer.read()
        with open(source.path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None


def decode(data: bytes) -> Text:
    if b"\0" in data[:8192]:
        raise InputError("binary file, not YAML")
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("invalid UTF-8", line, column) from None
    bom = content.startswith(BOM)
    return Text(content[1:] if bom else content, bom)


def _yaml() -> YAML:
    loader = YAML(typ="safe")
    loader.version = (1, 1)
    return loader


_LOADER = _yaml()


def compose(content: str) -> list[Node]:
    """The documents of a text as node trees (empty and comment-only documents dropped)."""
    template = GO_TEMPLATE.search(content)
    if template:
        line = content.count("\n", 0, template.start()) + 1
        column = template.start() - (content.rfind("\n", 0, template.start()) + 1) + 1
        raise TemplateSkipped("Go template, not YAML: render it first (helm template, then lint -)", line, column)
    try:
        documents = [node for node in _LOADER.compose_all(content) if node is not None]
        for document in documents:
            check_duplicate_keys(document)
    except DuplicateKeyError as error:
        raise InputError(str(error), error.position.line, error.position.column) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if mark is None:
            raise InputError(f"invalid YAML: {problem}") from None
        raise InputError(f"invalid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except YAMLError as error:
        raise InputError(f"invalid YAML: {str(error).splitlines()[0]}") from None
    return documents
