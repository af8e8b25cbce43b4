"""The rule catalogue: built-in rule modules plus third-party rules from entry points."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from k8stoken.rule_api import Severity

ENTRY_POINT_GROUP = "k8stoken.rules"
BUILTIN = (
    "kt001_default_token_mount",
    "kt002_job_outlives_token",
    "kt003_long_lived_workload_token",
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
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        rule = _rule(point.load(), point.value)
        rules.setdefault(rule.code, rule)
    return rules
