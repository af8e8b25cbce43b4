"""Bytes to YAML documents with positions: finding files, decoding them, composing nodes."""

from __future__ import annotations

import os
import re
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import BaseResolver

from .yaml_nodes import YAML_VERSION, DuplicateKeyError, NodeResolver, Position

try:
    from _ruamel_yaml import CParser  # ruamel.yaml.clib: libyaml's parser and composer, as ruamel imports it
except ImportError:  # no C extension (e.g. PyPy): ruamel's pure-Python composer builds the same nodes
    CParser = None

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
    """A decoded input: the text without its BOM, whether it had one, and its encoding."""

    content: str
    bom: bool
    encoding: str = "utf-8"


def discover(paths: list[str]) -> tuple[list[Source], list[str]]:
    """Expand the user's paths into sources; also returns the paths that do not exist."""
    sources: list[Source] = []
    missing: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            if STDIN not in seen:  # standard input can be read once
                seen.add(STDIN)
                sources.append(Source(STDIN))
            continue
        if os.path.isdir(path):
            candidates = _walk(path, os.path.realpath(path))
        elif os.path.lexists(path):
            candidates = iter([(path, os.path.realpath(path))])
        else:
            missing.append(path)
            continue
        for candidate, real_path in candidates:
            if real_path not in seen:
                seen.add(real_path)
                sources.append(Source(candidate))
    return sources, missing


def _walk(folder: str, real_folder: str) -> Iterator[tuple[str, str]]:
    """Manifests under a folder in sorted order, each with its real path (the key that drops repeats).

    Like os.walk (folder links are not followed, unreadable folders are passed over), with the real
    path built from the folder's, so that only linked files cost a realpath call.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if _is_folder(entry):
            if entry.name not in SKIPPED_FOLDERS and not entry.is_symlink():
                subfolders.append(entry)
        elif entry.name.endswith(YAML_SUFFIXES) and not entry.name.startswith(".") and not _is_special(entry):
            linked = entry.is_symlink()
            yield entry.path, os.path.realpath(entry.path) if linked else os.path.join(real_folder, entry.name)
    for entry in subfolders:
        yield from _walk(entry.path, os.path.join(real_folder, entry.name))


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop: left to be reported as a file that cannot be read
        return False


def _is_special(entry: os.DirEntry) -> bool:
    """A FIFO, socket or device: never a manifest, and reading a FIFO waits for a writer that never comes.

    Regular files answer from the folder listing; a broken link is kept, to be reported as unreadable.
    """
    try:
        return not entry.is_file() and os.path.exists(entry.path)
    except OSError:
        return False


def read(source: Source) -> bytes:
    try:
        if source.is_stdin:
            return sys.stdin.buffer.read()
        with open(source.path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None


# kubectl reads UTF-16 that starts with a byte order mark (what Windows PowerShell's `>` writes).
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def decode(data: bytes) -> Text:
    encoding = UTF16_BOMS.get(data[:2], "utf-8")
    if encoding == "utf-8" and b"\0" in data[:8192]:
        raise InputError("binary file, not YAML")
    try:
        content = data.decode(encoding)
    except UnicodeDecodeError as error:
        before = data[: error.start].decode(encoding, "ignore")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise InputError("invalid UTF-8" if encoding == "utf-8" else "invalid UTF-16", line, column) from None
    bom = content.startswith(BOM)
    return Text(content[1:] if bom else content, bom, encoding)


class _PureResolver(NodeResolver, BaseResolver):
    processing_version = YAML_VERSION  # libyaml reads YAML 1.1 too

    def __init__(self, version: object = None, loader: object = None) -> None:
        BaseResolver.__init__(self, loader)
        NodeResolver.__init__(self)


def compose_all_pure(content: str) -> list[Node]:
    """The documents of a text with ruamel's pure-Python composer, for interpreters without the C extension."""
    loader = YAML(typ="safe", pure=True)
    loader.Resolver = _PureResolver
    documents = []
    for document in loader.compose_all(content):
        documents.append(document)
        loader.resolver.next_document()
    return documents


# Far deeper than any manifest. go-yaml (kubectl) stops at 10,000, but libyaml's composer needs some 300 bytes
# of C stack per level, and python.exe on Windows has 2 MB: 5,000 levels fit in it.
MAX_DEPTH = 5_000
# Every collection opens with one of these, so a text with fewer of them cannot nest deeper than that.
_COLLECTION_INDICATORS = "[{-:?"


def _may_nest_too_deeply(content: str) -> bool:
    return len(content) >= MAX_DEPTH and sum(map(content.count, _COLLECTION_INDICATORS)) >= MAX_DEPTH


if CParser is None:
    _compose_all = compose_all_pure
else:

    class _Composer(NodeResolver, CParser):
        """libyaml's composer with our resolver: one class for all files (ruamel builds one per call)."""

        def __init__(self, content: str) -> None:
            CParser.__init__(self, content)
            NodeResolver.__init__(self)

    class _DepthCheckingComposer(_Composer):
        """The same composer, counting how deep it is: libyaml recurses in C, and some 30,000 levels down it
        overflows the stack (a crash, not an exception)."""

        def __init__(self, content: str) -> None:
            super().__init__(content)
            self._depth = 0

        def descend_resolver(self, parent: Node | None, index: object) -> None:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                where = Position.of(parent) if parent is not None else Position(1, 1)
                raise InputError(f"YAML nested more than {MAX_DEPTH} levels deep", where.line, where.column)
            NodeResolver.descend_resolver(self, parent, index)

        def ascend_resolver(self) -> None:
            self._depth -= 1

    def _compose_all(content: str) -> list[Node]:
        composer = (_DepthCheckingComposer if _may_nest_too_deeply(content) else _Composer)(content)
        try:
            documents = []
            while composer.check_node():
                documents.append(composer.get_node())
                composer.next_document()
            return documents
        finally:
            composer.dispose()


def compose(content: str) -> list[Node]:
    """The documents of a text as node trees; empty and comment-only ones are null scalars.

    A Go template action that YAML reads as structure (`name: {{ .Values.name }}` is a mapping) or
    that breaks the YAML marks chart source: TemplateSkipped. Actions inside strings and comments are
    data, as in rendered alert texts and Alertmanager templates.
    """
    try:
        documents = _compose_all(content)
    except (YAMLError, DuplicateKeyError) as error:
        template = next((start for start in _template_actions(content) if not _on_comment_line(content, start)), None)
        if template is not None:
            raise _template_skipped(content, template) from None
        documents = _compose_leniently(content, error)
    action = _structural_template_action(content, documents)
    if action is not None:
        raise _template_skipped(content, action)
    if _ANCHOR.search(content):
        for document in documents:
            _check_aliases(document)
    return documents


# Where an anchor may be defined (`&name` after a space, a flow indicator or at a line start): only such
# texts can repeat nodes through aliases. It starts with the `&` so that the search skips to each one.
_ANCHOR = re.compile(r"&(?<![^\s\[{,]&)[^\s&]")
# A document that aliases expand to more nodes than this, ten times more than it writes, is refused, as
# go-yaml refuses "excessive aliasing": a few lines that double at every level would never finish.
MAX_EXPANDED_NODES = 1_000_000
EXPANSION_FACTOR = 10


def _check_aliases(document: Node) -> None:
    """Refuse a node that contains itself through an alias (go-yaml does) and alias bombs."""
    expanded: dict[int, int] = {}  # collection -> its size with every alias expanded
    written = 0  # nodes as written: each collection once, with its scalars
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(document, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            expanded[id(node)] = 1 + sum(expanded.get(id(child), 1) for child in children)
            written += 1 + sum(child.__class__ is ScalarNode for child in children)
            continue
        if id(node) in expanded:
            continue
        if id(node) in open_nodes:
            where = Position.of(node)
            raise InputError("an alias refers to a node that contains it", where.line, where.column)
        open_nodes.add(id(node))
        stack.append((node, True))
        # Scalars count one each and hold nothing: only collections go on the stack.
        stack.extend(
            (child, False)
            for child in reversed(children)
            if child.__class__ is not ScalarNode and id(child) not in expanded
        )
    size = expanded.get(id(document), 1)
    if size > MAX_EXPANDED_NODES and size > EXPANSION_FACTOR * written:
        where = Position.of(document)
        raise InputError(
            f"excessive aliasing: aliases expand this document to {size:.3g} nodes", where.line, where.column
        )


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return node.value if isinstance(node, SequenceNode) else []


LIBYAML_FLOW_COLON = "found unexpected ':'"


def _compose_leniently(content: str, error: YAMLError | DuplicateKeyError) -> list[Node]:
    """Retry a text libyaml rejects with ruamel's pure-Python composer, else report the first error.

    libyaml refuses a colon inside a plain value in a flow mapping (`{name: a, image: app:1}`), which
    go-yaml, and so kubectl, accepts. Other errors are errors for both: no second parse for them.
    """
    if isinstance(error, MarkedYAMLError) and error.problem == LIBYAML_FLOW_COLON and CParser is not None:
        try:
            return compose_all_pure(content)
        except DuplicateKeyError as duplicate:
            error = duplicate
        except (YAMLError, RecursionError):
            pass
    raise _input_error(error, content) from None


def _input_error(error: YAMLError | DuplicateKeyError, content: str) -> InputError:
    if isinstance(error, ReaderError):
        return _reader_error(error, content)
    if isinstance(error, DuplicateKeyError):
        return InputError(str(error), error.position.line, error.position.column)
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if mark is None:
            return InputError(f"invalid YAML: {problem}")
        return InputError(f"invalid YAML: {problem}", mark.line + 1, mark.column + 1)
    return InputError(f"invalid YAML: {str(error).splitlines()[0]}")


def _reader_error(error: ReaderError, content: str) -> InputError:
    """A character YAML does not allow (a control character, a NUL), placed where it stands."""
    index = error.position
    if CParser is not None:  # libyaml counts UTF-8 bytes
        index = len(content.encode("utf-8")[:index].decode("utf-8", "ignore"))
    line = content.count("\n", 0, index) + 1
    column = index - (content.rfind("\n", 0, index) + 1) + 1
    return InputError(f"invalid YAML: {str(error).splitlines()[0]}", line, column)


def _template_skipped(content: str, start: int) -> TemplateSkipped:
    line = content.count("\n", 0, start) + 1
    column = start - (content.rfind("\n", 0, start) + 1) + 1
    return TemplateSkipped("Go template, not YAML: render it first (helm template, then lint -)", line, column)


def _template_actions(content: str) -> list[int]:
    return [match.start() for match in GO_TEMPLATE.finditer(content)] if "{{" in content else []


def _on_comment_line(content: str, index: int) -> bool:
    return content[content.rfind("\n", 0, index) + 1 : index].lstrip().startswith("#")


def _structural_template_action(content: str, documents: list[Node]) -> int | None:
    """Where the first Go template action outside every scalar and comment starts, if any."""
    starts = _template_actions(content)
    if not starts:
        return None
    spans = sorted(_scalar_spans(documents))
    span_starts = [start for start, _ in spans]

    def in_scalar(index: int) -> bool:
        position = bisect_right(span_starts, index) - 1
        return position >= 0 and index < spans[position][1]

    comment_starts: dict[int, int] = {}  # line start -> where its comment starts (the line's end if none)

    def comment_start(line_start: int) -> int:
        line_end = content.find("\n", line_start)
        line_end = len(content) if line_end < 0 else line_end
        hash_mark = content.find("#", line_start, line_end)
        while hash_mark >= 0:
            if (hash_mark == line_start or content[hash_mark - 1] in " \t") and not in_scalar(hash_mark):
                return hash_mark
            hash_mark = content.find("#", hash_mark + 1, line_end)
        return line_end

    def in_comment(index: int) -> bool:
        # Once per line: a long line with many actions would otherwise be rescanned for each of them.
        line_start = content.rfind("\n", 0, index) + 1
        if line_start not in comment_starts:
            comment_starts[line_start] = comment_start(line_start)
        return comment_starts[line_start] < index

    return next((start for start in starts if not in_scalar(start) and not in_comment(start)), None)


def _scalar_spans(documents: list[Node]) -> Iterator[tuple[int, int]]:
    """Character ranges of every scalar (keys and values, quotes and block indicators included)."""
    stack = list(documents)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias repeats its anchor's node
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node.start_mark.index, node.end_mark.index
        elif isinstance(node, MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
