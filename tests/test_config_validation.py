"""Invalid stack configs fail before any resource is registered, naming key, value and fix."""

from __future__ import annotations

from typing import Any

import pytest

from offline.engine import RunResult, run_program
from stack_config import ConfigError, validate_stack_config
from tests.conftest import stack_config, topfans_config


def _service(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(service for service in config["services"] if service["name"] == name)


def _without_image(config):
    _service(config, "user").pop("image")


def _hpa_min_above_max(config):
    _service(config, "collection")["autoscaling"] = {"minReplicas": 5, "maxReplicas": 2}


def _engine_postgres(config):
    config["database"]["engine"] = "postgres"


def _two_public(config):
    _service(config, "user")["public"] = True


def _latest_tag(config):
    _service(config, "star")["image"]["tag"] = "latest"


def _replicas_and_hpa(config):
    _service(config, "star")["autoscaling"] = {"minReplicas": 1, "maxReplicas": 2}


def _unlisted_relaxation(config):
    config["relaxations"].remove("single-az-database")


def _password_in_env(config):
    _service(config, "user")["env"]["MAIL_PASSWORD"] = "hunter2"


def _unknown_service_key(config):
    _service(config, "star")["replica"] = 2


def _kubernetes_version(config):
    config["cluster"]["kubernetesVersion"] = "1.21"


def _requests_above_limits(config):
    _service(config, "user")["resources"]["requests"]["memory"] = "4Gi"


# Each case: how to break the dev config, then fragments the message must contain.
BAD_CONFIGS = [
    (
        _without_image,
        ["topfans:services[1] (user).image", "missing", "registry, repository and tag"],
    ),
    (
        _hpa_min_above_max,
        [
            "services[3] (collection).autoscaling",
            "minReplicas 5 exceeds maxReplicas 2",
            "lower minReplicas",
        ],
    ),
    (_engine_postgres, ["topfans:database.engine = 'postgres'", "rejected", "set it to mysql"]),
    (
        _two_public,
        ["exactly one service must be public", "['gateway', 'user']", "gateway service only"],
    ),
    (_latest_tag, ["services[2] (star).image", "'latest'", "release tag or a digest"]),
    (_replicas_and_hpa, ["services[2] (star)", "keep only one of them"]),
    (
        _unlisted_relaxation,
        ["database.multiAz = False", "single-az-database", "add single-az-database"],
    ),
    (_password_in_env, ["env.MAIL_PASSWORD", "Kubernetes Secret"]),
    (_unknown_service_key, ["services[2] (star).replica", "not a known setting"]),
    (_kubernetes_version, ["cluster.kubernetesVersion = '1.21'", "1.35"]),
    (
        _requests_above_limits,
        ["services[1] (user).resources", "requests.memory 4Gi exceeds limits.memory"],
    ),
]


@pytest.mark.parametrize(
    ("breaker", "fragments"), BAD_CONFIGS, ids=[case[0].__name__.strip("_") for case in BAD_CONFIGS]
)
def test_bad_config_message(breaker, fragments):
    config = topfans_config("dev")
    breaker(config)
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "dev")
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_bad_config_registers_nothing():
    config = stack_config("dev")
    config["topfans:database"]["engine"] = "postgres"
    result = RunResult(stack="dev")
    with pytest.raises(ConfigError):
        run_program("dev", config=config, result=result)
    assert result.resources == []


def test_prod_rejects_relaxation():
    config = topfans_config("prod")
    config["database"]["multiAz"] = False
    with pytest.raises(ConfigError, match="a prod stack may not use"):
        validate_stack_config(config, "prod")


def test_unused_relaxation_rejected():
    config = topfans_config("dev")
    config["database"]["multiAz"] = True
    with pytest.raises(ConfigError, match="'single-az-database', but no setting uses it"):
        validate_stack_config(config, "dev")


def test_unknown_top_level_key_rejected():
    config = stack_config("dev")
    config["topfans:servics"] = []
    with pytest.raises(ConfigError, match="unknown key topfans:servics"):
        run_program("dev", config=config)


@pytest.mark.parametrize("stack", ["Prod", "a", "my--stack", "a-very-long-stack-name-over-26"])
def test_invalid_stack_name(stack):
    with pytest.raises(ConfigError, match="Invalid stack name"):
        validate_stack_config(topfans_config("dev"), stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_valid(stack):
    assert validate_stack_config(topfans_config(stack), stack).environment.value == stack


# Plausible YAML type slips: each message must name the key and how to write the value.
TYPE_SLIPS = [
    (lambda c: c["cluster"].update(kubernetesVersion=1.35), "quote the value"),
    (lambda c: c["services"].clear(), "must have at least 1 items"),
    (lambda c: c.update(network=None), "expected a mapping of settings"),
    (lambda c: _service(c, "star").update(replicas=2.5), "drop the decimals"),
    (lambda c: _service(c, "star").update(replicas=-1), "must be at least 1"),
    (lambda c: _service(c, "user")["env"].update(FEATURE=True), "quote the value"),
]


@pytest.mark.parametrize(("breaker", "fix"), TYPE_SLIPS)
def test_type_slip_message(breaker, fix):
    config = topfans_config("dev")
    breaker(config)
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "dev")
    assert fix in str(raised.value)
    assert "Input should be" not in str(raised.value)


@pytest.mark.parametrize(
    ("version", "fragment"),
    [("9.9", "unsupported MySQL version; use one of 8.0, 8.4"), ("8.0.40", "set major.minor only")],
)
def test_database_version_message(version, fragment):
    config = topfans_config("dev")
    config["database"]["engineVersion"] = version
    with pytest.raises(ConfigError, match=fragment):
        validate_stack_config(config, "dev")
