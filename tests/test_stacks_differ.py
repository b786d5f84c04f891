"""dev and prod differ exactly where their configs set different values."""

from __future__ import annotations

from tests.helpers import by_object_name, kind


def _instance(run):
    return run.of_type("aws:rds/instance:Instance")[0].inputs


def _group(run):
    return run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs


def test_database_multi_az(dev, prod):
    assert _instance(dev)["multiAz"] is False
    assert _instance(prod)["multiAz"] is True


def test_database_instance_class(dev, prod):
    assert _instance(dev)["instanceClass"] == "db.t4g.small"
    assert _instance(prod)["instanceClass"] == "db.m7g.large"


def test_cache_nodes(dev, prod):
    assert _group(dev)["numCacheClusters"] == 1
    assert _group(prod)["numCacheClusters"] == 2
    assert _group(prod)["automaticFailoverEnabled"] is True
    assert _group(prod)["multiAzEnabled"] is True


def test_nat_gateways(dev, prod):
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_hpa_bounds(dev, prod):
    dev_hpa = by_object_name(dev, "HorizontalPodAutoscaler", "collection").inputs["spec"]
    prod_hpa = by_object_name(prod, "HorizontalPodAutoscaler", "collection").inputs["spec"]
    assert (dev_hpa["minReplicas"], dev_hpa["maxReplicas"]) == (1, 4)
    assert (prod_hpa["minReplicas"], prod_hpa["maxReplicas"]) == (2, 10)


def test_data_protected_in_prod_only(dev, prod):
    for type_ in ("aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"):
        assert dev.of_type(type_)[0].protect is False
        assert prod.of_type(type_)[0].protect is True


def test_registry_replicas(dev, prod):
    assert by_object_name(dev, "StatefulSet", "zookeeper").inputs["spec"]["replicas"] == 1
    assert by_object_name(prod, "StatefulSet", "zookeeper").inputs["spec"]["replicas"] == 3


def test_same_services(dev, prod):
    names = {d.outputs["metadata"]["name"] for d in kind(dev, "Deployment")}
    assert names == {d.outputs["metadata"]["name"] for d in kind(prod, "Deployment")}
    assert names == {"gateway", "user", "star", "collection"}
