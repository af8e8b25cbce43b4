"""A pod marked for sidecar injection gets, or would get, its token by a hand-written mount.

Why: a mutating webhook (Istio, Linkerd, Kuma, the Vault agent injector, Consul) adds containers
at admission, when the pod or its Namespace (if the Namespace is in the input) asks for them.
With automount on, those containers get the auto-mounted token like the others. With automount
off and a projected token mounted by hand, only the containers written in the manifest have the
mount: the injected ones start without a token, and a proxy or agent that needs it (Kuma's data
plane, Vault's agent, older Linkerd proxies) fails. `k8stoken fix` makes
exactly that change, so a pod marked for injection that still relies on the auto-mounted token
is reported too: fix it by hand, not blindly.

Fails:

    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: payments}
    spec:
      template:
        metadata:
          annotations:
            kuma.io/sidecar-injection: enabled
        spec:
          containers:
          - name: app
            image: registry.example.com/payments:3

Passes: the same Deployment when the injected containers do not need the ServiceAccount token
(check the mesh's documentation), with a `# k8stoken: ignore[KT014]` comment saying so.

How to fix: keep automount on for such pods and make the application's client reload its token;
or make the webhook mount the projected token into the containers it injects (most injectors
copy volume mounts from an annotation or a template).
"""

from k8stoken.injection import injection_marker
from k8stoken.model import Workload
from k8stoken.projection import projected_token_mounts
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import anchor

CODE = "KT014"
NAME = "sidecar-injection-token"
SEVERITY = Severity.WARNING
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload) or not obj.containers:
        return
    marker = injection_marker(obj, context.references.namespace(obj.namespace))
    if marker is None:
        return
    if context.receives_default_token(obj):
        yield Problem(
            anchor(obj),
            f"{obj.label} is marked for sidecar injection ({marker}) and relies on the auto-mounted token: "
            "replacing it with a hand-written projection (what k8stoken fix does) leaves the containers injected "
            "at admission without the manual token mount; fix this one by hand",
        )
    elif not context.automount(obj).enabled and projected_token_mounts(obj):
        yield Problem(
            anchor(obj),
            f"{obj.label} is marked for sidecar injection ({marker}) and mounts its token by hand with automount off: "
            "containers injected at admission will not receive the manual token mount",
        )
