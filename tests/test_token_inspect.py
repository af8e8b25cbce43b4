"""`k8stoken token`: crafted tokens of each kind (legacy, bound, managed OIDC, expired) and garbage."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from k8stoken import token_inspect
from k8stoken.cli import main
from k8stoken.token_inspect import TokenKind, inspect_token

NOW = 1_800_000_000  # 2027-01-15 08:00:00 UTC
AKS_ISSUER = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/4c1f7e0a-2b6e-4f7b/"
API_AUDIENCE = "https://shop-prod-dns-5kq2x9.hcp.westeurope.azmk8s.io"


def segment(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(claims: object, header: object = None) -> str:
    header = header if header is not None else {"alg": "RS256", "kid": "Yx3yUvP0mYRk2QUpfHcyZl5mT1sD"}
    return f"{segment(header)}.{segment(claims)}.{segment(b'not-a-real-signature')}"


def bound_claims(issuer: str, issued: int, lifetime: int, **extra: object) -> dict:
    binding = {
        "namespace": "shop",
        "node": {"name": "aks-system-27164351-vmss000002", "uid": "5d5b7b07-7bb2-4e4c-9f0c-4a3c3b5b1a11"},
        "pod": {"name": "api-6d8f9c7b5-x2kqp", "uid": "0f3c6c2e-52a4-4d1e-9d55-3a1f0b0e7c21"},
        "serviceaccount": {"name": "api", "uid": "a6b4e3f1-9e1d-4e59-8d3a-0a5e9c3f2b10"},
        **extra,
    }
    return {
        "aud": [API_AUDIENCE, "https://kubernetes.default.svc"],
        "exp": issued + lifetime,
        "iat": issued,
        "iss": issuer,
        "jti": "0d6ad8f5-7a0c-4b0f-9a53-0c1b7d2e9b11",
        "kubernetes.io": binding,
        "nbf": issued,
        "sub": "system:serviceaccount:shop:api",
    }


LEGACY = {
    "iss": "kubernetes/serviceaccount",
    "kubernetes.io/serviceaccount/namespace": "shop",
    "kubernetes.io/serviceaccount/secret.name": "ci-deployer-token",
    "kubernetes.io/serviceaccount/service-account.name": "ci-deployer",
    "kubernetes.io/serviceaccount/service-account.uid": "c1b2d3e4-0000-4aaa-8bbb-111122223333",
    "sub": "system:serviceaccount:shop:ci-deployer",
}


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "token"
    path.write_text(text)
    return str(path)


def test_legacy_secret_token_never_expires(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert token_inspect.run(write(tmp_path, jwt(LEGACY)), "text", now=NOW) == 0
    out = capsys.readouterr().out
    assert "Kind:           legacy ServiceAccount token from a Secret (never expires)" in out
    assert "ServiceAccount: shop/ci-deployer (uid c1b2d3e4-0000-4aaa-8bbb-111122223333)" in out
    assert "Secret:         ci-deployer-token" in out
    assert "Expires:        never (no exp claim)" in out
    assert "Kubernetes 1.30+ removes unused ones" in out


def test_bound_token_from_the_cluster_issuer_extended_by_the_api_server(tmp_path, capsys) -> None:
    issued = NOW - 600
    claims = bound_claims("https://kubernetes.default.svc.cluster.local", issued, 31_536_000, warnafter=issued + 3607)
    assert token_inspect.run(write(tmp_path, jwt(claims)), "text", now=NOW) == 0
    out = capsys.readouterr().out
    assert "Kind:           bound ServiceAccount token from the cluster's own issuer" in out
    assert "Pod:            api-6d8f9c7b5-x2kqp (uid 0f3c6c2e-52a4-4d1e-9d55-3a1f0b0e7c21)" in out
    assert "Node:           aks-system-27164351-vmss000002" in out
    assert "Lifetime:       365d (31536000 s)" in out
    assert "extended by the API server" in out
    assert "requested until 2027-01-15 08:50:07 UTC" in out


def test_aks_oidc_token_is_the_one_hour_kind(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    issued = NOW - 1200
    assert token_inspect.run(write(tmp_path, jwt(bound_claims(AKS_ISSUER, issued, 3607))), "text", now=NOW) == 0
    out = capsys.readouterr().out
    assert "Kind:           bound ServiceAccount token from a managed OIDC issuer (AKS)" in out
    assert f"Issuer:         {AKS_ISSUER}" in out
    assert f"Audiences:      {API_AUDIENCE}, https://kubernetes.default.svc" in out
    assert "Subject:        system:serviceaccount:shop:api" in out
    assert "Issued:         2027-01-15 07:40:00 UTC" in out
    assert "Expires:        2027-01-15 08:40:07 UTC (in 40m 7s)" in out
    assert "Lifetime:       1h 0m 7s (3607 s)" in out
    assert "not extended: it expires 1h 0m 7s after issue (the kubelet's default" in out


def test_expired_token_exits_1_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    issued = NOW - 7200
    assert token_inspect.run(write(tmp_path, jwt(bound_claims(AKS_ISSUER, issued, 3607))), "text", now=NOW) == 1
    out = capsys.readouterr().out
    assert "(expired 59m 53s ago)" in out
    assert "EXPIRED 59m 53s ago" in out


@pytest.mark.parametrize(
    ("issuer", "provider"),
    [
        (AKS_ISSUER, "AKS"),
        ("https://oidc.prod-aks.azure.com/4c1f7e0a-2b6e-4f7b-93a1-7e1d0c2b9a88/", "AKS"),
        ("https://oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E", "EKS"),
        ("https://oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLED539D4633E53DE1B716D3041E", "EKS"),
        ("https://container.googleapis.com/v1/projects/shop-prod/locations/europe-west1/clusters/main", "GKE"),
    ],
)
def test_managed_oidc_issuers_are_recognised(issuer: str, provider: str) -> None:
    info = inspect_token(jwt(bound_claims(issuer, NOW, 3607)), NOW)
    assert (info.kind, info.provider) == (TokenKind.MANAGED_OIDC, provider)


@pytest.mark.parametrize(
    "issuer",
    [
        "https://kubernetes.default.svc.cluster.local",
        "https://shop-prod-dns-5kq2x9.hcp.westeurope.azmk8s.io",
        "https://oic.prod-aks.azure.com.example.net/tenant/",
        "https://evil.example/oidc.eks.eu-west-1.amazonaws.com/id/X",
    ],
)
def test_other_issuers_are_the_clusters_own(issuer: str) -> None:
    info = inspect_token(jwt(bound_claims(issuer, NOW, 3607)), NOW)
    assert (info.kind, info.provider) == (TokenKind.BOUND, None)


def test_token_request_without_a_pod_binding_is_noted() -> None:
    claims = bound_claims("https://kubernetes.default.svc.cluster.local", NOW, 3600)
    del claims["kubernetes.io"]["pod"], claims["kubernetes.io"]["node"]
    info = inspect_token(jwt(claims), NOW)
    assert info.pod is None
    assert any("not bound to a pod" in note for note in info.notes)


def test_a_jwt_that_is_not_a_serviceaccount_token() -> None:
    claims = {"iss": "https://sts.windows.net/72f988bf/", "aud": "api://AzureADTokenExchange", "exp": NOW + 60}
    info = inspect_token(jwt(claims), NOW)
    assert info.kind is TokenKind.OTHER
    assert info.audiences == ["api://AzureADTokenExchange"]


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    issued = NOW - 1200
    token_inspect.run(write(tmp_path, jwt(bound_claims(AKS_ISSUER, issued, 3607))), "json", now=NOW)
    document = json.loads(capsys.readouterr().out)
    assert document["kind"] == "managed-oidc"
    assert document["provider"] == "AKS"
    assert document["service_account"] == {"name": "api", "uid": "a6b4e3f1-9e1d-4e59-8d3a-0a5e9c3f2b10"}
    assert document["pod"]["name"] == "api-6d8f9c7b5-x2kqp"
    assert document["namespace"] == "shop"
    assert document["issued_at"] == "2027-01-15T07:40:00Z"
    assert document["expires_at"] == "2027-01-15T08:40:07Z"
    assert (document["lifetime_seconds"], document["seconds_left"]) == (3607, 2407)
    assert (document["expired"], document["extended"], document["warn_after"]) == (False, False, None)


def test_cli_reads_standard_input_with_bearer_prefix_and_newline() -> None:
    issued = int(time.time()) - 60
    text = f"Bearer {jwt(bound_claims(AKS_ISSUER, issued, 3607))}\n"
    result = CliRunner().invoke(main, ["token", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kind"] == "managed-oidc"


def test_cli_expired_token_from_a_file(tmp_path: Path) -> None:
    issued = int(time.time()) - 86_400
    result = CliRunner().invoke(main, ["token", write(tmp_path, jwt(bound_claims(AKS_ISSUER, issued, 3607)))])
    assert result.exit_code == 1
    assert "EXPIRED" in result.stdout


def test_default_path_outside_a_pod_gives_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = str(tmp_path / "serviceaccount" / "token")
    monkeypatch.setattr(token_inspect, "DEFAULT_TOKEN_PATH", missing)
    result = CliRunner().invoke(main, ["token"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"k8stoken token: {missing}: cannot read: No such file or directory "
        "(outside a pod: pass a token file, or - to read standard input)\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a JWT: the input is empty"),
        ("   \n", "not a JWT: the input is empty"),
        ("hello world", "not a JWT: expected 3 base64url segments separated by '.', found 1"),
        ("a.b", "not a JWT: expected 3 base64url segments separated by '.', found 2"),
        ("a.b.c.d.e", "an encrypted JWT (JWE): its claims cannot be read without the key"),
        ("e30.!!!.sig", "not a JWT: the payload segment is not base64url"),
        (".e30.sig", "not a JWT: the header segment is not base64url"),
        (f"e30.{segment(b'not json')}.sig", "not a JWT: the payload segment is not JSON"),
        ("e30." + segment(b"\xff\xfe") + ".sig", "not a JWT: the payload segment is not JSON"),
        (f"e30.{segment([1, 2])}.sig", "not a JWT: the payload is JSON but not an object"),
        (jwt({"iss": "x", "exp": "tomorrow"}), "not a valid token: the exp claim is not a number of seconds"),
        (
            jwt({"iss": "x", "exp": 10**20}),
            "not a valid token: the exp claim (100000000000000000000) is not a plausible time",
        ),
        (
            jwt(bound_claims("https://k", NOW, 3607, warnafter="soon")),
            "not a valid token: the warnafter claim is not a number of seconds",
        ),
    ],
)
def test_garbage_gives_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, content)
    result = CliRunner().invoke(main, ["token", path])
    assert result.exit_code == 2
    assert result.stderr == f"k8stoken token: {path}: {message}\n"
    assert result.stdout == ""


def test_binary_input_is_not_a_jwt(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = CliRunner().invoke(main, ["token", str(path)])
    assert (result.exit_code, result.stderr) == (2, f"k8stoken token: {path}: not a JWT: the input is not text\n")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (7, "7s"), (2521, "42m 1s"), (3607, "1h 0m 7s"), (86400, "1d"), (90061, "1d 1h 1m 1s")],
)
def test_durations_read_naturally(seconds: int, text: str) -> None:
    assert token_inspect._duration(seconds) == text
