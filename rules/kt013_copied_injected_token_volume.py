"""A token volume copied from a live pod: `kube-api-access-*`, or `expirationSeconds: 3607`.

Why: admission injects the auto-mounted token as a projected volume named `kube-api-access-<random>`
with `expirationSeconds: 3607`; `kubectl get pod -o yaml` shows it, and it gets copied into
manifests. Admission reuses a volume with that name prefix as if it had injected it, so the copy
is the auto-mounted token in all but name. And 3607 is a magic value: an API server with
`--service-account-extend-token-expiration` (the default, and EKS) turns a 3607-second request
into a token valid for a year (EKS: 90 days), while one without it (AKS with the OIDC issuer)
issues exactly 1 hour; the same manifest means two lifetimes.

Fails:

    volumes:
    - name: kube-api-access-x7k2p
      projected:
        sources:
        - serviceAccountToken:
            expirationSeconds: 3607
            path: token

Passes: a volume with a name of your own and an explicit lifetime such as `expirationSeconds: 86400`.

How to fix: delete a copied `kube-api-access-*` volume and its mounts, or rename it and choose a
lifetime; replace 3607 with the lifetime you need. `k8stoken fix --expiration 86400` rewrites the
3607 in place (one line) and adds no second volume; renaming is left to you.
"""

from k8stoken.model import Workload
from k8stoken.projection import INJECTED_EXPIRATION, INJECTED_VOLUME_PREFIX
from k8stoken.rule_api import Problem, Severity

CODE = "KT013"
NAME = "copied-injected-token-volume"
SEVERITY = Severity.WARNING
FIXABLE = True

MAGIC = (
    f"{INJECTED_EXPIRATION}s means 1 hour or 1 year depending on the API server's "
    "--service-account-extend-token-expiration flag"
)


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    for volume in obj.volumes:
        expiration = volume.token.expiration if volume.token is not None else None
        magic = expiration is not None and expiration.value == INJECTED_EXPIRATION
        if volume.name and volume.name.startswith(INJECTED_VOLUME_PREFIX):
            yield Problem(
                volume.position,
                f'{obj.label}: volume "{volume.name}" is the auto-mounted token volume copied from a live pod: '
                "admission reuses it as its own, so the pod relies on the auto-mounted token as before"
                + (f"; {MAGIC}" if magic else "")
                + "; remove it, or rename it and choose a lifetime",
                fixable=magic,
            )
        elif magic:
            yield Problem(
                expiration.position,
                f'{obj.label}: projected token volume "{volume.name or "<unnamed>"}": {MAGIC}; choose a lifetime',
                Severity.INFO,
            )
