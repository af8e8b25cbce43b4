"""Frameworks and custom resources: where k8stoken finds their pods, and why they meet the 1-hour token first.

Batch and data frameworks run the workloads that outlive a one-hour token first, and in a GitOps
repository they are custom resources, not Deployments. k8stoken reads the pod specs inside them with
the same token rules (KT001-KT003, one finding per pod spec that receives the auto-mounted token), and
the message names the framework. The pods are built by an operator: where the custom resource embeds
a standard pod template, `k8stoken fix` writes there; where it has a shape of its own (Argo, Spark), the
finding is marked not fixable, and `fix` leaves the file as it is and says a manual fix is required.

Spark (SparkApplication, ScheduledSparkApplication): the driver watches its executor pods through the
API for the whole application, so it is long-running by nature (KT003). Its ServiceAccount is
`spec.driver.serviceAccount`. Spark conf that hands the driver a token file or a token
(`spark.kubernetes.authenticate.driver.mounted.oauthTokenFile`, `...driver.oauthToken`) is read once:
KT016. Fix by hand: a projected token volume in `spec.volumes`, mounted at
/var/run/secrets/kubernetes.io/serviceaccount through `spec.driver.volumeMounts` and
`spec.executor.volumeMounts` (or the driver pod template where your operator version supports one).

Argo Workflows (Workflow, CronWorkflow, WorkflowTemplate, ClusterWorkflowTemplate): the controller
builds a pod for every container, script, containerSet, resource and data template (inline ones too),
and the executor's `wait` container calls the API for every step. `spec.activeDeadlineSeconds` is the
deadline (KT002). A template's own `automountServiceAccountToken` wins over the spec's; turning it off
needs an executor ServiceAccount (`spec.executor.serviceAccountName` or the template's
`executor.serviceAccountName`), or Argo rejects the workflow (KT016). Fix by hand through these fields.
A Workflow that only references templates (`templateRef`, `workflowTemplateRef`) is checked where the
templates are defined; http and plugin templates run in the controller's agent pod and are not checked;
a template's own `serviceAccountName` is not resolved apart from the workflow's.

KubeRay (RayJob, RayCronJob, RayCluster, RayService): the head pod (with the autoscaler) and the job
submitter talk to the API. A RayJob's `activeDeadlineSeconds` is its deadline; RayCluster and RayService
are long-running. Each head, worker group and submitter template is a pod spec of its own, fixed where
it is.

JobSet (`replicatedJobs[].template`), Volcano Job (`tasks[].template`), KEDA ScaledJob (`jobTargetRef`)
and Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob:
`*ReplicaSpecs.*.template`): long training and batch pods. Their pod templates are standard, so
`k8stoken fix` writes there; the deadline is read where each kind keeps it.

OpenShift DeploymentConfig and Argo Rollouts are long-running, like Deployments.

Airflow: containers that run Airflow (an `apache/airflow` image, or a command such as
`airflow scheduler`, `airflow celery worker`, `airflow triggerer`, `airflow webserver`) and
KubernetesExecutor pod-template files (a Pod with a container named `base`) are recognised. Long tasks,
sensors and the KubernetesPodOperator poll the API for hours from these pods.
apache-airflow-providers-cncf-kubernetes 8.2.0 made the KubernetesPodOperator re-create its client when
a call fails on an expired token, and 9.0.0 removed its limit of three such retries: use 9.0.0 or later.
The failures reported upstream involved kubeconfig exec and OAuth credentials, which expire on their
own terms and which no manifest change fixes: the token fix covers only the in-cluster token.

Your own custom resources: name them in the configuration file, and they are linted (and fixed,
unless `fixable: false`) like the built-in ones:

    workloads:
    - apiVersion: training.example.com/v1   # a group, or group/version
      kind: Trainer
      podSpecs:                             # [*]: every item of a list (or value of a mapping)
      - spec.workers[*].template.spec
      - spec.launcher.template.spec
      deadline: spec.activeDeadlineSeconds
      batch: true                           # or longRunning: true
      fixable: true
"""

from __future__ import annotations

import re

from .model import Workload

TOPIC = "frameworks"

_NOTES = {
    "Spark": "Spark: the driver watches its executor pods through the API for the whole application",
    "Argo Workflows": (
        "Argo Workflows: the executor's wait container calls the API for every step, and the controller builds the pods"
    ),
    "KubeRay": "KubeRay: the head (with the autoscaler) and the job submitter talk to the API",
    "JobSet": "JobSet: training and batch pods like these run for hours",
    "Volcano": "Volcano: training and batch pods like these run for hours",
    "Kubeflow": "Kubeflow: training pods like these run for hours",
    "KEDA": "KEDA: the jobs a ScaledJob starts are batch pods that may run for hours",
}
AIRFLOW_NOTE = (
    "{component}: long tasks, sensors and the KubernetesPodOperator poll the API for hours "
    "(apache-airflow-providers-cncf-kubernetes 9.0.0 or later re-creates the operator's client when its token "
    "expires); the Airflow failures reported upstream involved kubeconfig exec or OAuth credentials, "
    "which no manifest change fixes"
)

_AIRFLOW_COMMAND = re.compile(r"\bairflow\s+(?:celery\s+)?(?:scheduler|worker|triggerer|webserver|dag-processor)\b")
_AIRFLOW_COMPONENT = re.compile(r"\b(scheduler|worker|triggerer|webserver|dag-processor)\b")


def _airflow_image(image: str | None) -> bool:
    if not image:
        return False
    name = image.split("@", 1)[0]
    repository = name[: name.rfind(":")] if name.rfind(":") > name.rfind("/") else name
    return "apache/airflow" in repository or repository.rsplit("/", 1)[-1] == "airflow"


def airflow_component(workload: Workload) -> str | None:
    """`Airflow scheduler`, `Airflow worker`, ... when the pod runs Airflow, else None."""
    commands = [container.command or "" for container in workload.containers]
    executor_template = workload.kind == "Pod" and any(
        container.name == "base" and container.group == "containers" for container in workload.containers
    )
    if not (
        executor_template
        or any(_AIRFLOW_COMMAND.search(command) for command in commands)
        or any(_airflow_image(container.image) for container in workload.containers)
    ):
        return None
    if executor_template:
        return "Airflow KubernetesExecutor pod template"
    found = next((match.group(1) for command in commands if (match := _AIRFLOW_COMPONENT.search(command))), None)
    return f"Airflow {found}" if found else "Airflow"


def framework_note(workload: Workload) -> str:
    """A sentence on why this framework's pods rely on the token, to end a finding's message; or nothing."""
    if workload.framework in _NOTES:
        return f"; {_NOTES[workload.framework]}"
    component = airflow_component(workload)
    return f"; {AIRFLOW_NOTE.format(component=component)}" if component else ""


def manual_cure(workload: Workload) -> str:
    """What to say where `k8stoken fix` does not write (an operator's own shape) instead of offering it."""
    return (
        f"k8stoken fix cannot write here: fix it by hand through the {workload.kind}'s own fields "
        "(k8stoken explain frameworks)"
    )
