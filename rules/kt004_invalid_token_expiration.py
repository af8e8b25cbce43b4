"""A projected token's expirationSeconds is one the API server rejects.

Why: the API server validates `serviceAccountToken.expirationSeconds`: it must be an integer from
600 (10 minutes) to 4294967296 (2^32 seconds). Anything else, including a quoted number such as
`"3600"` (a string, not an integer), makes the whole object invalid: `kubectl apply` fails,
Argo CD reports a sync error, Flux stalls the Kustomization. This applies to every projected
token, wherever it is mounted.

Fails:

    volumes:
    - name: sa-token
      projected:
        sources:
        - serviceAccountToken:
            path: token
            expirationSeconds: 300

Passes: `expirationSeconds: 3600` (or no `expirationSeconds`: the default is 3600).

How to fix: write a plain integer from 600 to 86400. Longer lifetimes are valid but capped by
clusters with `--service-account-max-token-expiration` (AKS: 24 h), see KT005.
"""

from k8stoken.model import Workload
from k8stoken.projection import expiration_problem, token_volumes
from k8stoken.rule_api import Problem, Severity

CODE = "KT004"
NAME = "invalid-token-expiration"
SEVERITY = Severity.ERROR
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    for volume in token_volumes(obj):
        expiration = volume.token.expiration
        if expiration is None or expiration.value is None:
            continue
        problem = expiration_problem(expiration)
        if problem:
            yield Problem(
                expiration.position,
                f'{obj.label}: projected token volume "{volume.name}": {problem}, so the object is rejected '
                "(valid: an integer from 600 to 4294967296)",
            )
