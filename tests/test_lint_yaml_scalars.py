"""Plain scalars are read as go-yaml (kubectl, Helm, Argo CD, Flux) reads them before the API server sees JSON."""

from __future__ import annotations

import math

import pytest
from k8stoken import yaml_nodes
from k8stoken.load import compose, compose_all_pure

SPELLINGS = [
    # YAML 1.1 booleans
    ("no", False),
    ("off", False),
    ("Off", False),
    ("n", False),
    ("N", False),
    ("y", True),
    ("yes", True),
    ("ON", True),
    ("yEs", "yEs"),  # go-yaml knows three spellings of each word, not every mix of cases
    ('"false"', "false"),
    ("'no'", "no"),
    # integers: Go's ParseInt with base 0, underscores removed first
    ("0644", 420),
    ("0o644", 420),
    ("0x1C20", 7200),
    ("0b101", 5),
    ("86_400", 86400),
    ("+3600", 3600),
    ("-1", -1),
    ('"7200"', "7200"),
    # no base-60 numbers in go-yaml: strings, which an integer field rejects
    ("1:30:00", "1:30:00"),
    ("30:00", "30:00"),
    # floats; a whole one reaches the API server as a JSON integer
    ("600.0", 600),
    ("1e3", 1000),
    ("1.5", 1.5),
    ("09", 9),
    # strings that start like numbers
    ("100m", "100m"),
    ("8080:80", "8080:80"),
    ("1.27.3", "1.27.3"),
    # null
    ("~", None),
    ("null", None),
    ("", None),
]


@pytest.mark.parametrize("composer", [compose, compose_all_pure], ids=["libyaml", "pure"])
@pytest.mark.parametrize(("spelling", "value"), SPELLINGS, ids=[spelling or "empty" for spelling, _ in SPELLINGS])
def test_plain_scalars_read_like_go_yaml(composer, spelling: str, value: object) -> None:
    (document,) = composer(f"key: {spelling}\n")
    ((_, node),) = document.value
    read = yaml_nodes.scalar(node)
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize(("spelling", "check"), [(".inf", math.isinf), ("-.Inf", math.isinf), (".NaN", math.isnan)])
def test_infinity_and_nan_are_floats(spelling: str, check) -> None:
    (document,) = compose(f"key: {spelling}\n")
    ((_, node),) = document.value
    assert check(yaml_nodes.scalar(node))
