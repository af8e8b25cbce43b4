"""A long-lived workload relies on the auto-mounted ServiceAccount token.

Why: Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and Pods that
restart always run for days. Their auto-mounted token is a bound token that the kubelet rotates;
where the issuer does not extend it (AKS with the OIDC issuer), each token expires after one
hour. A client that reads the token once (older client libraries, home-made controllers,
Airflow or Spark processes, Java clients with cached credentials) gets 401 Unauthorized an hour
after start. On clusters that do extend it (upstream default, EKS), the API server logs the
`authentication.k8s.io/stale-token` audit annotation for such clients: search the audit log for
it to confirm at runtime.

Custom resources: Spark drivers (SparkApplication, ScheduledSparkApplication), KubeRay
RayCluster and RayService, OpenShift DeploymentConfigs and Argo Rollouts are long-running too, and
Airflow components (scheduler, workers, triggerer, webserver) are recognised by image and command;
the message then says what the framework does with the API (`k8stoken explain frameworks`).
Spark drivers are not fixable by `k8stoken fix`: the operator's own fields decide their token.

Fails:

    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: secret-watcher}
    spec:
      template:
        spec:
          serviceAccountName: secret-watcher
          containers:
          - name: loop
            image: registry.example.com/py-kube-loop:1

Passes: `automountServiceAccountToken: false` when the pod never calls the API; or a projected
token mounted at the token path (what `k8stoken fix` writes).

How to fix: the cure is a client that re-reads the token file (client-go >= 1.21 does; the
kubernetes Python client reloads it when configured with `load_incluster_config()` per call or
its refresh hook). `k8stoken fix` is a stop-gap: it projects a token that lives
`--expiration` seconds (default 86400), which only stretches the lifetime; a client that caches
its token still fails after 24 hours. It covers only the in-cluster ServiceAccount token: a
client that authenticates through a kubeconfig exec plugin or OAuth (as in the Airflow
KubernetesPodOperator failures reported upstream) has credentials of its own that expire, and no
manifest change fixes those.
"""

from k8stoken.frameworks import framework_note, manual_cure
from k8stoken.model import Workload
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import Lifetime, anchor, lifetime, reliance

CODE = "KT003"
NAME = "long-lived-workload-token"
SEVERITY = Severity.WARNING
FIXABLE = True

STOP_GAP = (
    "k8stoken fix only stretches the lifetime to expirationSeconds (a client that caches its token "
    "still fails after 24 h) and covers only this in-cluster token, not kubeconfig exec or OAuth credentials"
)


def check(obj, context):
    if not isinstance(obj, Workload) or not context.receives_default_token(obj):
        return
    if lifetime(obj, context.settings.long_running_threshold) is not Lifetime.LONG_RUNNING:
        return
    why = reliance(obj, context.automount(obj))
    stop_gap = STOP_GAP if obj.fixable else manual_cure(obj)
    yield Problem(
        anchor(obj),
        f"{obj.label} runs indefinitely on the auto-mounted ServiceAccount token ({why}), "
        "a bound token that expires after 1 h where the issuer does not extend it: its client must reload the token; "
        f"{stop_gap}{framework_note(obj)}",
        fixable=obj.fixable,
    )
