"""Audiences a token at the default path must not carry: placeholders and other services' audiences."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PLACEHOLDER = re.compile(
    r"\byour[-_ ]?[a-z]|<[^>]*>|\bexample\b|changeme|change[-_]me|replace[-_]?me|\bx{4,}|\btodo\b"
    r"|00000000-0000-0000-0000-000000000000",
    re.IGNORECASE,
)
# Audience (lower case) -> whose tokens carry it. A prefix ends with "/".
FOREIGN_AUDIENCES = {
    "api://azureadtokenexchange": "Azure workload identity",
    "sts.amazonaws.com": "AWS IAM roles for service accounts",
    "pods.eks.amazonaws.com": "EKS Pod Identity",
    "//iam.googleapis.com/": "Google Cloud workload identity federation",
    "https://iam.googleapis.com/": "Google Cloud workload identity federation",
    "vault": "HashiCorp Vault",
    "istio-ca": "Istio",
    "identity.l5d.io": "Linkerd",
    "spire-server": "SPIRE",
}
# What API servers commonly accept: `https://kubernetes.default.svc[.cluster.local]`, `kubernetes`.
API_AUDIENCE = re.compile(r"^(https://)?kubernetes(\.default(\.svc(\.[a-z0-9.-]+)?)?)?/?$", re.IGNORECASE)


def foreign_owner(audience: str) -> str | None:
    lowered = audience.strip().lower()
    for known, owner in FOREIGN_AUDIENCES.items():
        if lowered == known.rstrip("/") or (known.endswith("/") and lowered.startswith(known)):
            return owner
    host = urlsplit(lowered).hostname or ""
    if host == "vault" or host.startswith("vault."):  # Vault's own address, as its Kubernetes auth often uses
        return FOREIGN_AUDIENCES["vault"]
    return None


def rejection(audience: str) -> str | None:
    """Why the API server would refuse a token with this audience at the default path, if it would."""
    owner = foreign_owner(audience)
    if owner is not None:
        return f"it is the audience of {owner}"
    if PLACEHOLDER.search(audience):
        return "it is a placeholder"
    return None
