"""Config rollouts: each pod template carries a digest of exactly the values it reads."""

from __future__ import annotations

from components.workloads.endpoints import CONFIG_KEYS, SECRET_KEYS
from components.workloads.rollout import ENDPOINTS_HASH_ANNOTATION, consumed_keys, endpoint_digest
from components.workloads.service import ServiceWiring, endpoint_env
from offline.engine import is_secret, reveal
from tests.helpers import by_object_name
from tests.workload_helpers import config_of, deployment

WIRING = ServiceWiring("topfans", "topfans-endpoints", "topfans-credentials", {}, {})
# Fixed endpoint values: moto makes new addresses on every run, so the digest is
# checked on these.
CONFIG_VALUES = {
    "DB_HOST": "topfans-dev-mysql.abc.us-east-1.rds.amazonaws.com",
    "DB_PORT": "3306",
    "DB_NAME": "topfans",
    "SPRING_DATASOURCE_URL": "jdbc:mysql://db:3306/topfans?sslMode=REQUIRED",
    "REDIS_HOST": "master.topfans-dev-redis.use1.cache.amazonaws.com",
    "REDIS_PORT": "6379",
    "REDIS_TLS": "true",
    "REDIS_URL": "rediss://redis:6379",
    "DUBBO_REGISTRY_ADDRESS": "zookeeper://zookeeper.topfans.svc.cluster.local:2181",
}
SECRET_VALUES = {"DB_USERNAME": "topfans_admin", "DB_PASSWORD": "p4ss", "REDIS_AUTH_TOKEN": "t0k"}


def _annotation(run, name):
    return deployment(run, name).inputs["spec"]["template"]["metadata"]["annotations"][
        ENDPOINTS_HASH_ANNOTATION
    ]


def _digests(config_values, secret_values) -> dict[str, str]:
    """Return each dev service's digest over the given ConfigMap and Secret values."""
    digests = {}
    for service in config_of("dev").services:
        config_keys, secret_keys = consumed_keys(endpoint_env(service, WIRING))
        values = {f"configmap/{key}": config_values[key] for key in config_keys}
        values |= {f"secret/{key}": secret_values[key] for key in secret_keys}
        digests[service.name] = endpoint_digest(values)
    return digests


def test_digest_fixed_value():
    values = {"configmap/DB_NAME": "topfans", "secret/DB_PASSWORD": "p4ss"}
    expected = "3dbf339c7618cb4fd209b00be138376567964dfe1a53b829db785ae3e4e39e46"
    assert endpoint_digest(values) == expected


def test_digest_ignores_key_order():
    forward = {"a": "1", "b": "2"}
    backward = {"b": "2", "a": "1"}
    assert endpoint_digest(forward) == endpoint_digest(backward)


def test_digest_tells_key_from_value():
    assert endpoint_digest({"a": "b=c"}) != endpoint_digest({"a=b": "c"})


def test_consumed_keys_follow_uses():
    for service in config_of("dev").services:
        config_keys, secret_keys = consumed_keys(endpoint_env(service, WIRING))
        expected_config = {key for use in service.uses for key in CONFIG_KEYS[use]}
        expected_secret = {key for use in service.uses for key in SECRET_KEYS[use]}
        assert set(config_keys) == expected_config, service.name
        assert set(secret_keys) == expected_secret, service.name


def test_schema_change_rolls_database_users():
    before = _digests(CONFIG_VALUES, SECRET_VALUES)
    after = _digests({**CONFIG_VALUES, "DB_NAME": "topfans_v2"}, SECRET_VALUES)
    changed = {name for name in before if before[name] != after[name]}
    users = {s.name for s in config_of("dev").services if "database" in s.uses}
    assert changed == users == {"user", "star", "collection"}


def test_token_change_rolls_cache_users():
    before = _digests(CONFIG_VALUES, SECRET_VALUES)
    after = _digests(CONFIG_VALUES, {**SECRET_VALUES, "REDIS_AUTH_TOKEN": "new"})
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {s.name for s in config_of("dev").services if "cache" in s.uses}


def test_annotation_is_digest_of_read_values(run):
    config_map = reveal(by_object_name(run, "ConfigMap", "topfans-endpoints").inputs)["data"]
    secret = reveal(by_object_name(run, "Secret", "topfans-credentials").inputs)["stringData"]
    for service in config_of(run.stack).services:
        config_keys, secret_keys = consumed_keys(endpoint_env(service, WIRING))
        values = {f"configmap/{key}": config_map[key] for key in config_keys}
        values |= {f"secret/{key}": secret[key] for key in secret_keys}
        assert _annotation(run, service.name) == endpoint_digest(values), service.name


def test_same_uses_same_annotation(run):
    services = config_of(run.stack).services
    for first in services:
        for second in services:
            same = set(first.uses) == set(second.uses)
            equal = _annotation(run, first.name) == _annotation(run, second.name)
            assert same == equal, (first.name, second.name)


def test_annotation_not_secret(run):
    for service in config_of(run.stack).services:
        template = deployment(run, service.name).inputs["spec"]["template"]
        assert not is_secret(template["metadata"]["annotations"][ENDPOINTS_HASH_ANNOTATION])
        assert len(_annotation(run, service.name)) == 64
