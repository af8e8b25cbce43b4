"""A legacy ServiceAccount token Secret: a credential that never expires.

Why: a Secret of type `kubernetes.io/service-account-token` holds a token with no expiry. It does
not have the 1-hour problem, but it is the long-lived credential bound tokens were introduced to
replace: it stays valid until the Secret is deleted, it is readable by anyone who can read
Secrets in the namespace, and since Kubernetes 1.30 auto-generated ones unused for a year are
invalidated and removed. Reported for the Secret itself, for `secret` volumes that mount it (or
any Secret mounted at /var/run/secrets/kubernetes.io/serviceaccount), and for ServiceAccount
`secrets:` entries that reference one. A volume or entry refers to a Secret of the input in the
same namespace, or, when a namespace is not written, in the same folder.

Fails:

    apiVersion: v1
    kind: Secret
    metadata:
      name: reader-token
      annotations:
        kubernetes.io/service-account.name: reader
    type: kubernetes.io/service-account-token

Passes: a projected `serviceAccountToken` volume, or a token requested on demand
(`kubectl create token reader --duration=1h`, the TokenRequest API).

How to fix: mount a projected token instead (`k8stoken fix` writes one) and delete the Secret once
nothing uses it. Where a non-expiring token is truly needed (an external system that cannot
renew one), keep it and say so with `k8stoken.io/ignore: "KT010"`.
"""

import re

from k8stoken.model import Secret, ServiceAccount, Workload
from k8stoken.projection import volumes_by_name
from k8stoken.references import TOKEN_SECRET_TYPE, is_token_secret
from k8stoken.rule_api import Problem, Severity

CODE = "KT010"
NAME = "legacy-token-secret"
SEVERITY = Severity.INFO
FIXABLE = False

NEVER_EXPIRES = "a token that never expires; prefer a projected token, which the kubelet renews"


def check(obj, context):
    if isinstance(obj, Secret) and is_token_secret(obj):
        account = obj.annotations.get("kubernetes.io/service-account.name")
        owner = f' of ServiceAccount "{account}"' if isinstance(account, str) else ""
        yield Problem(obj.type.position, f"{obj.label} is a {TOKEN_SECRET_TYPE} Secret{owner}: {NEVER_EXPIRES}")
    elif isinstance(obj, Workload):
        yield from _secret_volumes(obj, context)
    elif isinstance(obj, ServiceAccount):
        yield from _account_secrets(obj, context)


def _secret_volumes(obj: Workload, context):
    at_token_path = {
        mount.volume for container in obj.containers for mount in container.token_mounts if mount.volume is not None
    }
    for name, volume in volumes_by_name(obj).items():
        if volume.source != "secret" or not volume.secret_name:
            continue
        secrets = context.references.token_secrets(volume.secret_name, obj)
        if secrets:
            where = f"{secrets[0].path}:{secrets[0].position.line}"
            why = f'Secret "{volume.secret_name}" ({where}) is a {TOKEN_SECRET_TYPE} Secret'
        elif name in at_token_path:
            why = f'Secret "{volume.secret_name}" is mounted at the token path, so presumably a {TOKEN_SECRET_TYPE}'
        else:
            continue
        yield Problem(volume.position, f'{obj.label}: volume "{name}": {why}: {NEVER_EXPIRES}')


def _account_secrets(obj: ServiceAccount, context):
    # The name the token controller gave the Secrets it created before Kubernetes 1.24.
    generated = re.compile(rf"^{re.escape(obj.name or '')}-token-[a-z0-9]{{5}}$")
    for secret in obj.secrets:
        secrets = context.references.token_secrets(secret.value, obj)
        if secrets:
            why = f"is a {TOKEN_SECRET_TYPE} Secret ({secrets[0].path}:{secrets[0].position.line})"
        elif obj.name and generated.match(secret.value):
            why = "is named like the token Secrets Kubernetes generated before 1.24"
        else:
            continue
        yield Problem(secret.position, f'{obj.label} lists Secret "{secret.value}", which {why}: {NEVER_EXPIRES}')
