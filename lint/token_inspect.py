"""`k8stoken token`: what kind of ServiceAccount token a pod holds, decoded without verifying it.

The one question behind the whole tool is "does my pod get a token that really expires after an
hour?". The token answers it: its issuer (a managed OIDC issuer such as AKS's, or the cluster's
own), its lifetime, and whether the API server extended it (a `warnafter` claim) for clients that
never reload it. Only the standard library: a JWT is three base64url JSON segments.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

DEFAULT_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"
LEGACY_ISSUER = "kubernetes/serviceaccount"
LEGACY_PREFIX = "kubernetes.io/serviceaccount/"
KUBELET_DEFAULT_SECONDS = 3607
# Beyond year 9999 a timestamp cannot be shown; such a claim is garbage, not a date.
LATEST_TIMESTAMP = 253402300799
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
EXIT_VALID, EXIT_EXPIRED, EXIT_UNREADABLE = 0, 1, 2

MANAGED_ISSUERS = (
    ("AKS", re.compile(r"^https://(?:[a-z0-9-]+\.)*(?:oic|oidc)\.prod-aks\.azure\.com/", re.IGNORECASE)),
    ("EKS", re.compile(r"^https://oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/id/", re.IGNORECASE)),
    ("GKE", re.compile(r"^https://container\.googleapis\.com/v1/projects/", re.IGNORECASE)),
)


class TokenError(ValueError):
    """The input is not a readable JWT; the message is one line."""


class TokenKind(str, enum.Enum):
    LEGACY = "legacy"
    BOUND = "bound"
    MANAGED_OIDC = "managed-oidc"
    OTHER = "not-serviceaccount"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Named:
    name: str | None
    uid: str | None = None


@dataclass(slots=True)
class TokenInfo:
    kind: TokenKind
    provider: str | None
    issuer: str | None
    audiences: list[str]
    subject: str | None
    namespace: str | None
    service_account: Named | None
    pod: Named | None = None
    node: Named | None = None
    secret: Named | None = None
    issued_at: int | None = None
    not_before: int | None = None
    expires_at: int | None = None
    warn_after: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lifetime(self) -> int | None:
        if self.expires_at is None or self.issued_at is None:
            return None
        return self.expires_at - self.issued_at

    @property
    def extended(self) -> bool:
        return self.warn_after is not None


def decode_jwt(text: str) -> tuple[dict, dict]:
    """Header and claims of a compact JWS, without checking the signature."""
    token = text.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise TokenError("not a JWT: the input is empty")
    segments = token.split(".")
    if len(segments) == 5:
        raise TokenError("an encrypted JWT (JWE): its claims cannot be read without the key")
    if len(segments) != 3:
        raise TokenError(f"not a JWT: expected 3 base64url segments separated by '.', found {len(segments)}")
    header = _segment(segments[0], "header")
    claims = _segment(segments[1], "payload")
    return header, claims


def _segment(segment: str, role: str) -> dict:
    if not _BASE64URL.fullmatch(segment):
        raise TokenError(f"not a JWT: the {role} segment is not base64url")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenError(f"not a JWT: the {role} segment is not base64url") from None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise TokenError(f"not a JWT: the {role} segment is not JSON") from None
    if not isinstance(value, dict):
        raise TokenError(f"not a JWT: the {role} is JSON but not an object")
    return value


def inspect_token(text: str, now: float) -> TokenInfo:
    """Classify a ServiceAccount token and explain what its lifetime means for the pod holding it."""
    _, claims = decode_jwt(text)
    issuer = _string(claims, "iss")
    info = TokenInfo(
        kind=TokenKind.OTHER,
        provider=None,
        issuer=issuer,
        audiences=_audiences(claims.get("aud")),
        subject=_string(claims, "sub"),
        namespace=None,
        service_account=None,
        issued_at=_time(claims, "iat"),
        not_before=_time(claims, "nbf"),
        expires_at=_time(claims, "exp"),
    )
    bound = claims.get("kubernetes.io")
    if issuer == LEGACY_ISSUER:
        _legacy(info, claims)
    elif isinstance(bound, dict):
        _bound(info, bound)
    else:
        info.notes.append("a JWT, but not a Kubernetes ServiceAccount token: it has no kubernetes.io claim")
    _timing_notes(info, now)
    return info


def _legacy(info: TokenInfo, claims: dict) -> None:
    info.kind = TokenKind.LEGACY
    info.namespace = _string(claims, LEGACY_PREFIX + "namespace")
    info.service_account = Named(
        _string(claims, LEGACY_PREFIX + "service-account.name"),
        _string(claims, LEGACY_PREFIX + "service-account.uid"),
    )
    info.secret = Named(_string(claims, LEGACY_PREFIX + "secret.name"))
    info.notes.append(
        "a legacy token stored in a Secret of type kubernetes.io/service-account-token: it never expires and is "
        "not bound to a pod; Kubernetes 1.30+ removes unused ones, so move the workload to a projected token"
    )


def _bound(info: TokenInfo, bound: dict) -> None:
    for provider, pattern in MANAGED_ISSUERS:
        if info.issuer and pattern.match(info.issuer):
            info.kind, info.provider = TokenKind.MANAGED_OIDC, provider
            break
    else:
        info.kind = TokenKind.BOUND
    info.namespace = _text(bound.get("namespace"))
    info.service_account = _named(bound.get("serviceaccount"))
    info.pod = _named(bound.get("pod"))
    info.node = _named(bound.get("node"))
    info.secret = _named(bound.get("secret"))
    info.warn_after = _time(bound, "warnafter")
    if info.pod is None and info.secret is None:
        info.notes.append(
            "not bound to a pod: requested through the TokenRequest API (for example `kubectl create token`)"
        )


def _timing_notes(info: TokenInfo, now: float) -> None:
    if info.kind is TokenKind.LEGACY or info.kind is TokenKind.OTHER:
        return
    lifetime = info.lifetime
    if info.expires_at is None:
        info.notes.append("it has no expiry (exp claim), which a bound token always has")
        return
    if info.extended:
        info.notes.append(
            f"extended by the API server for clients that never reload it: requested until {_utc(info.warn_after)}, "
            f"valid until {_utc(info.expires_at)}; use after {_utc(info.warn_after)} is logged as stale "
            "(audit annotation authentication.k8s.io/stale-token), and where the issuer does not extend tokens "
            "(AKS with the OIDC issuer) the same client gets 401 Unauthorized from then on"
        )
    elif lifetime is not None:
        default = " (the kubelet's default for the auto-mounted token)" if lifetime == KUBELET_DEFAULT_SECONDS else ""
        info.notes.append(
            f"not extended: it expires {_duration(lifetime)} after issue{default}; the kubelet rewrites the file "
            "at 80% of that, and a client that read it once gets 401 Unauthorized after expiry: it must re-read it"
        )
    if info.expires_at <= now:
        info.notes.append(
            f"EXPIRED {_duration(int(now) - info.expires_at)} ago: the API server rejects it; a token file the "
            "kubelet manages is never left expired, so this copy was read or cached earlier"
        )
    elif info.not_before is not None and info.not_before > now:
        info.notes.append(f"not valid before {_utc(info.not_before)}")


def describe(info: TokenInfo, now: float) -> list[str]:
    """The token as aligned `Field: value` lines, then its notes."""
    rows = [
        ("Kind", _kind_sentence(info)),
        ("Issuer", info.issuer or "(none)"),
        ("Audiences", ", ".join(info.audiences) if info.audiences else "(none)"),
        ("Subject", info.subject or "(none)"),
    ]
    if info.service_account is not None:
        where = f"{info.namespace}/" if info.namespace else ""
        rows.append(("ServiceAccount", where + _named_text(info.service_account)))
    for label, value in (("Pod", info.pod), ("Node", info.node), ("Secret", info.secret)):
        if value is not None:
            rows.append((label, _named_text(value)))
    if info.issued_at is not None:
        rows.append(("Issued", _utc(info.issued_at)))
    if info.expires_at is None:
        rows.append(("Expires", "never (no exp claim)"))
    else:
        left = info.expires_at - int(now)
        when = f"in {_duration(left)}" if left > 0 else f"expired {_duration(-left)} ago"
        rows.append(("Expires", f"{_utc(info.expires_at)} ({when})"))
    if info.lifetime is not None:
        rows.append(("Lifetime", f"{_duration(info.lifetime)} ({info.lifetime} s)"))
    width = max(len(label) for label, _ in rows) + 1
    return [f"{label + ':':<{width}} {value}" for label, value in rows] + [f"- {note}" for note in info.notes]


def to_json(info: TokenInfo, now: float) -> str:
    def named(value: Named | None) -> dict | None:
        return None if value is None else {"name": value.name, "uid": value.uid}

    left = None if info.expires_at is None else info.expires_at - int(now)
    document = {
        "kind": str(info.kind),
        "provider": info.provider,
        "issuer": info.issuer,
        "audiences": info.audiences,
        "subject": info.subject,
        "namespace": info.namespace,
        "service_account": named(info.service_account),
        "pod": named(info.pod),
        "node": named(info.node),
        "secret": named(info.secret),
        "issued_at": _iso(info.issued_at),
        "not_before": _iso(info.not_before),
        "expires_at": _iso(info.expires_at),
        "warn_after": _iso(info.warn_after),
        "lifetime_seconds": info.lifetime,
        "seconds_left": left,
        "expired": left is not None and left <= 0,
        "extended": info.extended,
        "notes": info.notes,
    }
    return json.dumps(document, indent=2)


def run(path: str, output_format: str, now: float | None = None) -> int:
    """Read, inspect and print one token; returns the exit status (0 valid, 1 expired, 2 unreadable)."""
    now = time.time() if now is None else now
    try:
        info = inspect_token(_read(path), now)
    except TokenError as error:
        print(f"k8stoken token: {_display(path)}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if output_format == "json":
        print(to_json(info, now))
    else:
        print("\n".join(describe(info, now)))
    expired = info.expires_at is not None and info.expires_at <= now
    return EXIT_EXPIRED if expired else EXIT_VALID


def _read(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as error:
        hint = " (outside a pod: pass a token file, or - to read standard input)" if path == DEFAULT_TOKEN_PATH else ""
        raise TokenError(f"cannot read: {error.strerror or error}{hint}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenError("not a JWT: the input is not text") from None


def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _kind_sentence(info: TokenInfo) -> str:
    if info.kind is TokenKind.LEGACY:
        return "legacy ServiceAccount token from a Secret (never expires)"
    if info.kind is TokenKind.MANAGED_OIDC:
        return f"bound ServiceAccount token from a managed OIDC issuer ({info.provider})"
    if info.kind is TokenKind.BOUND:
        return "bound ServiceAccount token from the cluster's own issuer"
    return "not a Kubernetes ServiceAccount token"


def _string(claims: dict, key: str) -> str | None:
    return _text(claims.get(key))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _named(value: object) -> Named | None:
    if not isinstance(value, dict):
        return None
    return Named(_text(value.get("name")), _text(value.get("uid")))


def _named_text(value: Named) -> str:
    name = value.name or "(unnamed)"
    return f"{name} (uid {value.uid})" if value.uid else name


def _audiences(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _time(claims: dict, key: str) -> int | None:
    value = claims.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenError(f"not a valid token: the {key} claim is not a number of seconds")
    if not 0 <= value <= LATEST_TIMESTAMP:
        raise TokenError(f"not a valid token: the {key} claim ({value}) is not a plausible time")
    return int(value)


def _utc(seconds: int | None) -> str:
    return (
        "(none)" if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    )


def _iso(seconds: int | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: int) -> str:
    """3607 -> '1h 0m 7s', 86400 -> '1d', 2521 -> '42m 1s': from the largest to the smallest non-zero unit."""
    seconds = abs(int(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        parts.append((seconds // size, unit))
        seconds %= size
    values = [value for value, _ in parts]
    if not any(values):
        return "0s"
    first = next(i for i, value in enumerate(values) if value)
    last = max(i for i, value in enumerate(values) if value)
    return " ".join(f"{value}{unit}" for value, unit in parts[first : last + 1])
