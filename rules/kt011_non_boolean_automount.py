"""automountServiceAccountToken is not a plain true or false, or is not where the cluster reads it.

Why: the field is a boolean. A quoted `"false"` is a string and the API server rejects the object
(kubectl: `cannot unmarshal string into Go struct field ... of type bool`); a number fails the
same way. The YAML 1.1 words `no`, `off`, `yes`, `on`, `y`, `n` are booleans for the cluster
(kubectl, Helm, Argo CD and Flux read YAML 1.1), but strings for YAML 1.2 tools (yq 4,
kubeconform's and other linters' parsers), which then see a different manifest than the cluster
does. Written under `metadata:` (of a ServiceAccount, a pod or a pod template) it is not a field
at all: the API server rejects it with strict field validation or drops it, and the token is
mounted as if it were never written.

Fails:

    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: batch-runner
    automountServiceAccountToken: "false"

Passes: `automountServiceAccountToken: false`, at the top level of a ServiceAccount or in a pod
spec.

How to fix: write plain `false` or `true` (`k8stoken fix` rewrites quoted strings and YAML 1.1
words); move a key written under `metadata:` to the ServiceAccount's top level or the pod spec.
"""

from k8stoken.model import Field, ServiceAccount, Workload
from k8stoken.rule_api import Problem, Severity

CODE = "KT011"
NAME = "non-boolean-automount"
SEVERITY = Severity.ERROR
FIXABLE = True

PLAIN_BOOLEANS = ("true", "false")
# What the API server would read for each word, were it not quoted.
BOOLEAN_WORDS = {
    **dict.fromkeys(("true", "yes", "on", "y"), "true"),
    **dict.fromkeys(("false", "no", "off", "n"), "false"),
}


def check(obj, context):
    if not isinstance(obj, (Workload, ServiceAccount)):
        return
    if obj.automount is not None:
        problem = _value_problem(obj.label, obj.automount)
        if problem is not None:
            yield problem
    misplaced = obj.misplaced_automount
    if misplaced is not None:
        where = "the ServiceAccount's metadata" if isinstance(obj, ServiceAccount) else "metadata"
        home = "the top level of the ServiceAccount" if isinstance(obj, ServiceAccount) else "the pod spec"
        yield Problem(
            misplaced.position,
            f"{obj.label}: automountServiceAccountToken under {where} is not a field there: the API server rejects "
            f"it (strict field validation) or drops it, so it has no effect; move it to {home}",
            fixable=False,
        )


def _value_problem(label: str, automount: Field) -> Problem | None:
    value, spelling = automount.value, automount.spelling
    if value is None:
        return None
    if isinstance(value, bool):
        if spelling.lower() in PLAIN_BOOLEANS:
            return None
        return Problem(
            automount.position,
            f"{label}: automountServiceAccountToken: {spelling} is a YAML 1.1 boolean ({str(value).lower()}): the "
            f"cluster reads it as {str(value).lower()}, YAML 1.2 tools as the string {spelling!r}; "
            f"write {str(value).lower()}",
            Severity.WARNING,
        )
    if isinstance(value, str):
        meant = BOOLEAN_WORDS.get(value.strip().lower())
        hint = f"write {meant} without quotes" if meant else "write true or false"
        return Problem(
            automount.position,
            f"{label}: automountServiceAccountToken: {spelling!r} is a string, not a boolean: the API server rejects "
            f"the object; {hint}",
            fixable=meant is not None,
        )
    return Problem(
        automount.position,
        f"{label}: automountServiceAccountToken: {spelling} is not a boolean: the API server rejects the object; "
        "write true or false",
        fixable=False,
    )
