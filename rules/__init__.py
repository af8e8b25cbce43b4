"""The rule catalogue: built-in rule modules plus third-party rules from entry points."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from importlib.machinery import PathFinder
from types import ModuleType
from typing import Any

from k8stoken.rule_api import Severity

ENTRY_POINT_GROUP = "k8stoken.rules"
BUILTIN = (
    "kt001_default_token_mount",
    "kt002_job_outlives_token",
    "kt003_long_lived_workload_token",
    "kt004_invalid_token_expiration",
    "kt005_token_expiration",
    "kt006_incomplete_token_projection",
    "kt007_token_mount_missing",
    "kt008_token_path_conflict",
    "kt009_token_audience",
    "kt010_legacy_token_secret",
    "kt011_non_boolean_automount",
    "kt012_deprecated_serviceaccount_field",
    "kt013_copied_injected_token_volume",
    "kt014_sidecar_injection_token",
    "kt015_token_disabled_but_rbac_bound",
    "kt016_framework_token_settings",
)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fixable: bool
    doc: str
    check: Any
    origin: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


class PluginError(Exception):
    """A third-party rule that cannot be used; the message is one line naming its entry point."""


def _rule(module: ModuleType | Any, origin: str) -> Rule:
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=Severity(module.SEVERITY),
        fixable=bool(getattr(module, "FIXABLE", False)),
        doc=module.__doc__ or "",
        check=module.check,
        origin=origin,
    )


def load_rules() -> dict[str, Rule]:
    """All rules by code, built-ins first, then plugins in name order."""
    rules = {}
    for name in BUILTIN:
        rule = _rule(importlib.import_module(f"{__name__}.{name}"), "k8stoken")
        rules[rule.code] = rule
    for point in _plugin_entry_points():
        rule = _plugin_rule(point)
        if rule.code in rules:
            raise PluginError(
                f"plugin rule {point.name!r} ({point.value}) uses code {rule.code}, "
                f"which {rules[rule.code].origin} already uses"
            )
        rules[rule.code] = rule
    return rules


def _plugin_rule(point) -> Rule:
    where = f"plugin rule {point.name!r} ({point.value})"
    try:
        target = point.load()
    except Exception as error:  # importing someone else's code can fail in any way
        raise PluginError(f"{where} cannot be loaded: {_one_line(error)}") from None
    try:
        rule = _rule(target, point.value)
    except (AttributeError, ValueError) as error:
        raise PluginError(f"{where} is not a rule: {_one_line(error)}") from None
    if not callable(rule.check) or not isinstance(rule.code, str) or not isinstance(rule.name, str):
        raise PluginError(f"{where} is not a rule: CODE and NAME must be strings and check a function")
    return rule


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _plugin_entry_points() -> list:
    """The group's entry points in name order; none, at once, when no installed distribution mentions it.

    Importing importlib.metadata and reading every distribution costs as much as a whole small run
    (the pre-commit case), so the metadata folders it would read are first searched for the group's name.
    """
    if not _may_declare(ENTRY_POINT_GROUP):
        return []
    from importlib.metadata import entry_points

    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)


def _may_declare(group: str) -> bool:
    """False only if no *.dist-info or *.egg-info folder on sys.path names the group, where importlib.metadata
    looks; True for anything it would search otherwise (zipped paths, other metadata finders)."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return True
    marker = group.encode()
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.lower().endswith((".dist-info", ".egg-info")) or name == "EGG-INFO":
                try:
                    with open(os.path.join(folder, name, "entry_points.txt"), "rb") as handle:
                        if marker in handle.read():
                            return True
                except OSError:
                    continue
    return False
