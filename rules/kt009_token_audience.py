"""The token at the token path carries an audience the API server will not accept.

Why: a projected token without `audience` is issued for the API server; with one, it is valid only
for that audience. Clients take the token at /var/run/secrets/kubernetes.io/serviceaccount to the
API server, which rejects a token whose audience is not one of its own (`--api-audiences`): every
call returns 401 Unauthorized. Audiences end up there by copying: placeholders from a blog post
(`api://YOUR-GUID/`, `<audience>`, Helm's `<no value>`), or audiences that belong elsewhere:
Azure workload identity (`api://AzureADTokenExchange`), EKS (`sts.amazonaws.com`), Vault, Istio.
When you set `audience` in the configuration (what your API server accepts), any other audience
at the token path is reported; without it, an unrecognised audience is noted for review.

Fails:

    - serviceAccountToken:
        path: token
        audience: api://AzureADTokenExchange

mounted at /var/run/secrets/kubernetes.io/serviceaccount.

Passes: no `audience` at the token path; a token for Azure, AWS or Vault projected into its own
folder (such as /var/run/secrets/tokens) beside the API token.

How to fix: remove `audience` from the token at the token path. Project tokens for other
services into a separate volume mounted elsewhere.
"""

from k8stoken.audiences import API_AUDIENCE, PLACEHOLDER, foreign_owner
from k8stoken.model import Workload
from k8stoken.projection import token_path_volumes
from k8stoken.rule_api import Problem, Severity

CODE = "KT009"
NAME = "token-audience"
SEVERITY = Severity.ERROR
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    configured = context.settings.audience
    for volume in token_path_volumes(obj):
        audience = volume.token.audience
        if audience is None or not isinstance(audience.value, str) or not audience.value:
            continue
        value = audience.value
        where = f'{obj.label}: the token at the token path (volume "{volume.name}") has audience {value!r}'
        owner = foreign_owner(value)
        if PLACEHOLDER.search(value):
            yield Problem(
                audience.position,
                f"{where}, a placeholder: the API server rejects the token (401); remove audience at the token path",
            )
        elif owner:
            yield Problem(
                audience.position,
                f"{where}, the audience of {owner}, not of the API server: every API call gets 401; "
                "project that token into its own folder and leave audience unset at the token path",
            )
        elif configured is not None:
            if value != configured:
                yield Problem(
                    audience.position,
                    f"{where}, not the configured API audience {configured!r}: every API call gets 401",
                )
        elif not API_AUDIENCE.match(value):
            yield Problem(
                audience.position,
                f"{where}: the API server accepts only its own audiences (--api-audiences); unless this is one, "
                "every API call gets 401. Leave audience unset at the token path, or set audience in the "
                "k8stoken configuration to check it",
                Severity.INFO,
            )
