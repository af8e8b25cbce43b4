"""A framework setting reads the token once, or turns it off where the framework still needs it.

Why: frameworks have token settings of their own, beside the pod's. Spark conf can hand the driver
a token file or a token instead of its ServiceAccount:
`spark.kubernetes.authenticate.driver.mounted.oauthTokenFile` (and, in client mode,
`spark.kubernetes.authenticate.oauthTokenFile`) is read once, when the driver starts, and the driver
keeps that token for the whole application; once it expires (one hour for a bound ServiceAccount
token), every call to watch or request executors gets 401 Unauthorized. A token written into the
conf (`spark.kubernetes.authenticate.driver.oauthToken`, `spark.kubernetes.authenticate.oauthToken`)
either expires the same way or is a never-expiring legacy token kept in the repository.

Argo Workflows runs an executor beside every step (the `wait` container) that calls the API.
A workflow or template with `automountServiceAccountToken: false` must name an executor
ServiceAccount (`spec.executor.serviceAccountName`, or `executor.serviceAccountName` in the
template) whose token Argo mounts for the executor; without one, Argo rejects the workflow with
"executor.serviceAccountName must not be empty if automountServiceAccountToken is false". The
finding points at the `automountServiceAccountToken` key that turns the token off.

Fails:

    apiVersion: sparkoperator.k8s.io/v1beta2
    kind: SparkApplication
    metadata: {name: nightly-aggregation}
    spec:
      type: Scala
      mode: cluster
      image: registry.example.com/spark:3.5.1
      mainClass: com.example.Aggregate
      mainApplicationFile: local:///opt/app/aggregate.jar
      sparkVersion: 3.5.1
      sparkConf:
        spark.kubernetes.authenticate.driver.mounted.oauthTokenFile: /var/run/secrets/spark/token
      driver:
        serviceAccount: spark-driver
      executor:
        instances: 4

Passes: the same SparkApplication without the setting (the driver then authenticates as
`spec.driver.serviceAccount`); an Argo Workflow with `automountServiceAccountToken: false` and
`executor: {serviceAccountName: argo-executor}`.

How to fix: for Spark, remove the token settings from `sparkConf` and let the driver use its
ServiceAccount, with a Spark version whose Kubernetes client reloads the token. For Argo, set
`spec.executor.serviceAccountName` (or the template's `executor.serviceAccountName`) to a
ServiceAccount that may create and patch `workflowtaskresults`, or leave the automatic mount on.
See `k8stoken explain frameworks`.
"""

from k8stoken.model import Workload
from k8stoken.rule_api import Problem, Severity
from k8stoken.yaml_nodes import Position

CODE = "KT016"
NAME = "framework-token-settings"
SEVERITY = Severity.ERROR
FIXABLE = False

TOKEN_FILES = (
    "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile",
    "spark.kubernetes.authenticate.oauthTokenFile",
)
TOKEN_VALUES = (
    "spark.kubernetes.authenticate.driver.oauthToken",
    "spark.kubernetes.authenticate.oauthToken",
)


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    yield from _spark_conf(obj)
    yield from _argo_executor(obj)


def _spark_conf(obj: Workload):
    for key in TOKEN_FILES:
        setting = obj.config.get(key)
        if setting is not None and setting.value:
            yield Problem(
                setting.position,
                f"{obj.label}: sparkConf {key} makes the driver read the token in {setting.value} once, when it "
                "starts, and keep it for the whole application: after the token expires (1 h for a bound "
                "ServiceAccount token) watching and requesting executors fails with 401; remove it and let the "
                "driver authenticate as its ServiceAccount (spec.driver.serviceAccount)",
            )
    for key in TOKEN_VALUES:
        setting = obj.config.get(key)
        if setting is not None and setting.value:
            yield Problem(
                setting.position,
                f"{obj.label}: sparkConf {key} writes a token into the manifest: a bound token expires "
                "(1 h for a ServiceAccount token) and the driver cannot renew it, and a legacy token never "
                "expires and sits in the repository; let the driver authenticate as its ServiceAccount "
                "(spec.driver.serviceAccount)",
            )


def _argo_executor(obj: Workload):
    # One finding per automountServiceAccountToken key that turns the token off, naming the templates it breaks.
    broken: dict[Position, list[str]] = {}
    for unit in obj.units:
        setting = unit.automount
        if setting is None or setting.value is not False or _named(unit.executor_account or obj.executor_account):
            continue
        broken.setdefault(setting.position, []).append(unit.name or "<unnamed>")
    for position, templates in broken.items():
        yield Problem(
            position,
            f"{obj.label}: automountServiceAccountToken: false without an executor ServiceAccount "
            f"(template {', '.join(templates)}): Argo rejects the workflow, because its executor's wait container "
            "needs the API (executor.serviceAccountName must not be empty if automountServiceAccountToken is "
            "false); set spec.executor.serviceAccountName or the template's executor.serviceAccountName",
        )


def _named(account) -> bool:
    return account is not None and isinstance(account.value, str) and bool(account.value.strip())
