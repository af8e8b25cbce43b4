"""Objects that other objects point at by name: token Secrets, the role bindings of a ServiceAccount,
Namespaces.

Matching is namespace-aware in the way ServiceAccount resolution is: an object without a
namespace (common in repositories, where the namespace comes at apply time) matches by name.
A Secret named by a volume is taken for the same Secret only within one namespace, or, where a
namespace is not written, within one folder: unrelated Secrets that share a name abound.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

from .model import KubeObject, RoleBinding, Secret

TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
# A User subject can name a ServiceAccount as the authenticator spells it.
_ACCOUNT_USER_PREFIX = "system:serviceaccount:"


def is_token_secret(secret: Secret) -> bool:
    return secret.type is not None and secret.type.value == TOKEN_SECRET_TYPE


def _same_namespace(first: str | None, second: str | None) -> bool:
    return first is None or second is None or first == second


def _same_place(first: KubeObject, second: KubeObject) -> bool:
    if first.namespace is not None and second.namespace is not None:
        return first.namespace == second.namespace
    return os.path.dirname(first.path) == os.path.dirname(second.path)


class References:
    def __init__(self, objects: Iterable[KubeObject]) -> None:
        self._token_secrets: dict[str, list[Secret]] = defaultdict(list)
        self._bindings: dict[str, list[tuple[str | None, RoleBinding]]] = defaultdict(list)
        self._namespaces: dict[str, KubeObject] = {}
        for obj in objects:
            if obj.kind == "Namespace" and obj.name:
                self._namespaces.setdefault(obj.name, obj)
            elif isinstance(obj, Secret) and obj.name and is_token_secret(obj):
                self._token_secrets[obj.name].append(obj)
            elif isinstance(obj, RoleBinding):
                for name, namespace in _bound_accounts(obj):
                    self._bindings[name].append((namespace, obj))

    def token_secrets(self, name: str, referrer: KubeObject) -> list[Secret]:
        """Secrets of type service-account-token that `referrer` (a pod or a ServiceAccount) means by `name`."""
        return [secret for secret in self._token_secrets.get(name, ()) if _same_place(secret, referrer)]

    def namespace(self, name: str | None) -> KubeObject | None:
        """The Namespace object of that name, if it is in the input."""
        return self._namespaces.get(name) if name else None

    def bindings(self, account: str, namespace: str | None) -> list[RoleBinding]:
        """Role bindings that have this ServiceAccount among their subjects."""
        found: list[RoleBinding] = []
        for bound_namespace, binding in self._bindings.get(account, ()):
            if _same_namespace(bound_namespace, namespace) and binding not in found:
                found.append(binding)
        return found


def _bound_accounts(binding: RoleBinding) -> Iterable[tuple[str, str | None]]:
    """(name, namespace) of every ServiceAccount the binding names; a RoleBinding's own namespace is the default."""
    for subject in binding.subjects:
        if subject.kind == "ServiceAccount" and subject.name:
            namespace = subject.namespace
            if namespace is None and binding.kind == "RoleBinding":
                namespace = binding.namespace
            yield subject.name, namespace
        elif subject.kind == "User" and subject.name and subject.name.startswith(_ACCOUNT_USER_PREFIX):
            namespace, _, name = subject.name[len(_ACCOUNT_USER_PREFIX) :].partition(":")
            if name:
                yield name, namespace or None
