"""The configuration file: found, read, validated against its JSON Schema, turned into Settings.

k8stoken looks upward from the working folder for `.k8stoken.yaml` (or `.k8stoken.yml`), then for
a `pyproject.toml` with a `[tool.k8stoken]` table, and stops at the first folder that has either;
`--config FILE` names one instead. jsonschema is imported only when a file is found, so a run
without configuration starts as fast as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from . import yaml_nodes as yn
from .rule_api import Settings, Severity
from .workloads import WorkloadKind, custom_kind
from .yaml_nodes import Position

CONFIG_NAMES = (".k8stoken.yaml", ".k8stoken.yml")
PYPROJECT = "pyproject.toml"
TOOL_TABLE = ("tool", "k8stoken")

KeyPath = tuple  # keys and list indexes from the top of the configuration


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line naming file and key."""


class NoToolTable(ConfigError):
    """A pyproject.toml without a [tool.k8stoken] table."""


@dataclass(frozen=True, slots=True)
class Config:
    path: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above `start`."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    # A cheap look before parsing: most pyproject.toml files have nothing for k8stoken.
    try:
        raw = pyproject.read_bytes()
    except OSError:
        return False
    if b"tool.k8stoken" not in raw:
        return False
    try:
        _read_toml(pyproject, raw, PYPROJECT)
    except NoToolTable:  # named only in a comment or a string, as a commented-out table is
        return False
    except ConfigError:  # a file that cannot be read as TOML: reported when it is loaded
        pass
    return True


def load(explicit: str | None = None, cwd: Path | None = None) -> Config:
    """The configuration named by --config, else the nearest one, else the defaults."""
    here = (cwd or Path.cwd()).resolve()
    path = here / explicit if explicit is not None else find_config(here)
    if path is None:
        return Config(settings=Settings(root=str(here)))
    shown = explicit if explicit is not None else _shown(path, here)
    data, positions = _read(path, shown)
    _validate(data, positions, shown, _key_prefix(path))
    return _config(data, shown, str(path.resolve().parent))


def _shown(path: Path, here: Path) -> str:
    """A found file as the user would type it from the working folder."""
    try:
        return os.path.relpath(path, here)
    except ValueError:  # another drive on Windows
        return str(path)


def _key_prefix(path: Path) -> str:
    return "tool.k8stoken." if path.name == PYPROJECT else ""


def _read(path: Path, shown: str) -> tuple[object, dict[KeyPath, Position]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read: {error.strerror or error}") from None
    if path.suffix == ".toml":
        return _read_toml(path, raw, shown), {}
    return _read_yaml(raw, shown)


def _read_toml(path: Path, raw: bytes, shown: str) -> object:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError(f"{shown}: reading TOML needs Python 3.11 or the tomli package") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{shown}: invalid TOML: {error}") from None
    if path.name != PYPROJECT:
        return document
    table: object = document
    for key in TOOL_TABLE:
        if not isinstance(table, dict) or key not in table:
            raise NoToolTable(f"{shown}: no [tool.k8stoken] table")
        table = table[key]
    return table


def _read_yaml(raw: bytes, shown: str) -> tuple[object, dict[KeyPath, Position]]:
    from .load import InputError, compose, decode

    try:
        documents = [node for node in compose(decode(raw).content) if not yn.is_null(node)]
    except InputError as error:
        raise ConfigError(f"{shown}:{error.line}:{error.column}: {error.message}") from None
    if len(documents) > 1:
        where = Position.of(documents[1])
        raise ConfigError(f"{shown}:{where.line}:{where.column}: expected one YAML document, found several")
    positions: dict[KeyPath, Position] = {}
    try:
        data = _plain(documents[0], (), positions) if documents else {}
    except RecursionError:
        raise ConfigError(f"{shown}: YAML nested too deeply for a configuration") from None
    return data, positions


def _plain(node: Node, path: KeyPath, positions: dict[KeyPath, Position]) -> object:
    """Nodes to plain data, read as the manifests are; remembers where each value and key stands."""
    positions[path] = Position.of(node)
    if isinstance(node, MappingNode):
        data = {}
        for key, (key_node, value) in yn.entries(node).items():
            positions[("key", *path, key)] = Position.of(key_node)
            data[key] = _plain(value, (*path, key), positions)
        return data
    if isinstance(node, SequenceNode):
        return [_plain(item, (*path, index), positions) for index, item in enumerate(node.value)]
    return yn.scalar(node)


def _schema() -> dict:
    import json  # here and below, not at the top: most runs have no configuration file to check
    from importlib import resources

    return json.loads(resources.files("k8stoken").joinpath("schemas/config.schema.json").read_text("utf-8"))


def _validate(data: object, positions: dict[KeyPath, Position], shown: str, prefix: str) -> None:
    from jsonschema import Draft202012Validator

    schema = _schema()
    errors = list(Draft202012Validator(schema).iter_errors(data))
    if not errors:
        return
    problems = [_describe(error, schema, positions) for error in errors]
    # The first problem in the file; Positions do not order themselves, and key paths mix names and indexes.
    path, position, text = min(
        problems,
        key=lambda item: (item[1] is None, (item[1].line, item[1].column) if item[1] else (0, 0), str(item[0])),
    )
    where = f"{shown}:{position.line}:{position.column}" if position is not None else shown
    key = prefix + _dotted(path) if path else (prefix.rstrip(".") or "configuration")
    raise ConfigError(f"{where}: {key}: {text}")


def _describe(error, schema: dict, positions: dict[KeyPath, Position]) -> tuple[KeyPath, Position | None, str]:
    """(key path, where it stands, what is wrong) for one validation error."""
    path: KeyPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and error.validator_value is False:
        allowed = sorted(error.schema.get("properties", {}))
        unknown = min(
            (key for key in error.instance if key not in allowed),
            key=lambda key: (_line_column(positions.get(("key", *path, key))), key),
        )
        where = positions.get(("key", *path, unknown))
        return (*path, unknown), where, f"unknown key; expected one of {', '.join(allowed)}"
    expected = _description(error.schema, schema)
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        return path, positions.get(path), f"missing {missing}; expected {expected}"
    if "propertyNames" in error.relative_schema_path:
        name = error.instance
        return (*path, name), positions.get(("key", *path, name)), f"{_value(name)} is not allowed; expected {expected}"
    return path, positions.get(path), f"{_value(error.instance)} is not allowed; expected {expected}"


def _line_column(position: Position | None) -> tuple[int, int]:
    return (position.line, position.column) if position is not None else (0, 0)


def _description(subschema: dict, schema: dict) -> str:
    if "description" in subschema:
        return subschema["description"]
    reference = subschema.get("$ref", "")
    return schema["$defs"].get(reference.rpartition("/")[2], {}).get("description", "allowed")


def _value(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    import json

    return json.dumps(value, default=str)


def _dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if text else _key(part))
    return text


def _key(name: object) -> str:
    """A key as written, or quoted when it holds a line break or another character an error line cannot show."""
    import json

    text = str(name)
    return text if text.isprintable() else json.dumps(text)


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(code.upper() for code in values)


def _config(data: dict, shown: str, root: str) -> Config:
    defaults = Settings()
    settings = Settings(
        long_running_threshold=data.get("long-running-threshold", defaults.long_running_threshold),
        max_expiration=data.get("max-expiration", defaults.max_expiration),
        audience=data.get("audience"),
        severity={code.upper(): Severity(level) for code, level in data.get("severity", {}).items()},
        exclude=tuple(data.get("exclude", ())),
        per_file_ignores=tuple(
            (pattern, frozenset(_codes(codes))) for pattern, codes in data.get("per-file-ignores", {}).items()
        ),
        root=root,
        workloads=tuple(_workload_kind(entry) for entry in data.get("workloads", ())),
    )
    select = _codes(data["select"]) if "select" in data else None
    return Config(shown, select, _codes(data.get("ignore", ())), settings)


def _workload_kind(entry: dict) -> WorkloadKind:
    return custom_kind(
        entry["apiVersion"],
        entry["kind"],
        entry["podSpecs"],
        deadline=entry.get("deadline"),
        fixable=entry.get("fixable", True),
        long_running=entry.get("longRunning", False),
        batch=entry.get("batch", False),
    )


def check_codes(config: Config, known: Iterable[str]) -> None:
    """Every rule code the file names must exist (a typo would silently select or ignore nothing)."""
    known = set(known)
    settings = config.settings
    named = [
        ("select", config.select or ()),
        ("ignore", config.ignore),
        ("severity", tuple(settings.severity)),
        *((f"per-file-ignores.{_key(pattern)}", tuple(sorted(codes))) for pattern, codes in settings.per_file_ignores),
    ]
    for key, codes in named:
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ConfigError(f"{config.path}: {key}: unknown rule code {unknown[0]} (see: k8stoken rules)")


def path_matches(path: str, patterns: Iterable[str], root: str) -> bool:
    """Whether a file matches a glob: a bare name matches any file or folder of that name, a pattern
    with `/` matches the path relative to the configuration's folder (or one of its parent folders)."""
    if path == "-":
        return False
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    parts = [part for part in relative.split("/") if part not in ("", ".", "..")]
    prefixes = ["/".join(parts[: end + 1]) for end in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.strip().removeprefix("./").rstrip("/")
        if "/" not in pattern:
            if any(fnmatchcase(part, pattern) for part in parts):
                return True
            continue
        candidates = (pattern, pattern[3:]) if pattern.startswith("**/") else (pattern,)
        if any(fnmatchcase(prefix, candidate) for prefix in prefixes for candidate in candidates):
            return True
    return False
