"""The traffic cutover: two weighted Route 53 records whose weights follow eksPercent."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from moto import mock_aws

from offline.aws_moto import AwsBackend
from offline.engine import PROJECT_DIR, RunResult
from offline.errors import RejectedError
from stack_config import ConfigError, validate_stack_config
from stack_config.model import CutoverConfig
from tests import existing_infra as infra
from tests.conftest import topfans_config

RECORD_TYPE = "aws:route53/record:Record"
ALB_ZONE_US_EAST_1 = "Z35SXDOTRQ7X7K"


@pytest.fixture(scope="module")
def adopted() -> RunResult:
    """The stack adopting the VM's VPC with 10% of the traffic on EKS."""
    return infra.vpc_adoption_run()


def _records(run: RunResult, component: str) -> dict[str, dict[str, Any]]:
    """Return the inputs of a Cutover's records by set identifier."""
    return {
        record.inputs["setIdentifier"]: record.inputs
        for record in run.of_type(RECORD_TYPE)
        if record.parent_name == component
    }


def _weight(record: dict[str, Any]) -> float:
    return record["weightedRoutingPolicies"][0]["weight"]


def test_ten_percent_weights(adopted):
    records = _records(adopted, "cutover")
    assert set(records) == {"vm", "eks"}
    assert _weight(records["eks"]) == 10
    assert _weight(records["vm"]) == 90


def test_records_form_one_group(adopted):
    records = _records(adopted, "cutover")
    assert {record["name"] for record in records.values()} == {infra.RECORD}
    assert {record["type"] for record in records.values()} == {"A"}
    assert len({record["zoneId"] for record in records.values()}) == 1


def test_vm_record_holds_address(adopted):
    vm = _records(adopted, "cutover")["vm"]
    assert vm["records"] == [infra.VM_ADDRESS]
    assert vm["ttl"] == 60
    assert vm["allowOverwrite"] is True


def test_eks_record_aliases_gateway_alb(adopted):
    eks = _records(adopted, "cutover")["eks"]
    alias = eks["aliases"][0]
    assert alias["name"] == adopted.outputs["gatewayHostname"]
    assert alias["name"].endswith(".us-east-1.elb.amazonaws.com")
    assert alias["zoneId"] == ALB_ZONE_US_EAST_1
    assert alias["evaluateTargetHealth"] is True
    assert "ttl" not in eks


def test_weights_exported(adopted):
    assert adopted.outputs["cutoverWeights"] == {"vm": 90, "eks": 10}


@pytest.mark.parametrize(
    ("percent", "weights"), [(0, (100, 0)), (10, (90, 10)), (50, (50, 50)), (100, (0, 100))]
)
def test_weights_follow_percent(percent, weights):
    config = CutoverConfig.model_validate(infra.cutover_config(eksPercent=percent))
    assert config.weights == weights
    # Route 53 splits traffic evenly when every weight of a group is 0.
    assert sum(config.weights) == 100


# Cutovers built by programs/cutover_cases.py: name -> (section, outcome fragments).
PUBLIC_ZONE_ID = infra.PUBLIC_ZONE_ID
CUTOVER_CASES = {
    "cname": (
        infra.cutover_config(recordName="cname.topfans.example", vmTarget="vm.topfans.example"),
        ["created"],
    ),
    "all-on-vm": (
        infra.cutover_config(recordName="zero.topfans.example", eksPercent=0),
        ["created"],
    ),
    "all-on-eks": (
        infra.cutover_config(recordName="full.topfans.example", eksPercent=100, ttl=30),
        ["created"],
    ),
    "vm-retired": (
        infra.cutover_config(recordName="retired.topfans.example", eksPercent=100, retireVm=True),
        ["created"],
    ),
    "by-zone-id": (
        infra.cutover_config(
            zoneName=None, hostedZoneId=PUBLIC_ZONE_ID, recordName="id.topfans.example"
        ),
        ["created"],
    ),
    "zone-missing": (
        infra.cutover_config(zoneName="missing.example", recordName="api.missing.example"),
        [
            "topfans:cutover.zoneName = 'missing.example'",
            "looking up the public hosted zone failed",
            "aws route53 list-hosted-zones",
        ],
    ),
    "zone-private": (
        infra.cutover_config(zoneName=None, hostedZoneId=infra.PRIVATE_ZONE_ID),
        ["topfans:cutover.hostedZoneId = '{Z0PRIVATE0000000000000}'", "the zone is private"],
    ),
    "record-outside-zone": (
        infra.cutover_config(
            zoneName=None, hostedZoneId=PUBLIC_ZONE_ID, recordName="api.other.example"
        ),
        ["topfans:cutover", "'api.other.example' is not in the zone 'topfans.example'"],
    ),
    "cname-at-apex": (
        infra.cutover_config(
            zoneName=None, hostedZoneId=PUBLIC_ZONE_ID, recordName=infra.ZONE, vmTarget="vm.example"
        ),
        ["topfans:cutover", "is the zone apex", "set vmTarget to the VM's IPv4 address"],
    ),
}


@pytest.fixture(scope="module")
def cases() -> RunResult:
    """The run of programs/cutover_cases.py over CUTOVER_CASES."""
    table = {
        name: {key: value for key, value in section.items() if value is not None}
        for name, (section, _) in CUTOVER_CASES.items()
    }
    return infra.run_cases("cutover_cases.py", table)


@pytest.mark.parametrize("case", CUTOVER_CASES)
def test_cutover_case_outcome(cases, case):
    outcome = cases.outputs["outcomes"][case]
    assert "\n" not in outcome
    for fragment in CUTOVER_CASES[case][1]:
        assert infra.with_moto_ids(fragment, cases) in outcome


def test_failed_cutover_registers_nothing(cases):
    failed = [name for name, (_, fragments) in CUTOVER_CASES.items() if fragments != ["created"]]
    registered = {resource.parent_name or resource.name for resource in cases.resources}
    assert not registered & set(failed)


def test_host_name_target_gives_cnames(cases):
    records = _records(cases, "cname")
    assert records["vm"]["type"] == "CNAME"
    assert records["vm"]["records"] == ["vm.topfans.example"]
    assert records["eks"]["type"] == "CNAME"
    assert records["eks"]["records"][0].endswith(".elb.amazonaws.com")
    assert records["eks"]["ttl"] == 60


@pytest.mark.parametrize(("case", "vm", "eks"), [("all-on-vm", 100, 0), ("all-on-eks", 0, 100)])
def test_whole_traffic_weights(cases, case, vm, eks):
    records = _records(cases, case)
    assert _weight(records["vm"]) == vm
    assert _weight(records["eks"]) == eks


def test_retired_vm_has_no_record(cases):
    records = _records(cases, "vm-retired")
    assert set(records) == {"eks"}
    assert _weight(records["eks"]) == 100


def test_zone_found_by_id(cases):
    records = _records(cases, "by-zone-id")
    assert records["vm"]["zoneId"] == cases.seeded_ids[PUBLIC_ZONE_ID]


# Cutover sections the model rejects: (change to the valid section, message fragments).
BAD_SECTIONS = [
    ({"eksPercent": 150}, ["topfans:cutover.eksPercent = 150", "whole number from 0 to 100"]),
    ({"eksPercent": -5}, ["topfans:cutover.eksPercent = -5", "use e.g. 10"]),
    ({"eksPercent": 12.5}, ["topfans:cutover.eksPercent = 12.5", "whole number"]),
    ({"eksPercent": True}, ["topfans:cutover.eksPercent = True", "whole number"]),
    ({"eksPercent": "ten"}, ["topfans:cutover.eksPercent = 'ten'", "whole number"]),
    ({"eksPercent": None}, ["topfans:cutover.eksPercent is missing", "from 0 to 100"]),
    ({"hostedZoneId": "Z0PUBLIC00000000000000"}, ["exactly one of hostedZoneId and zoneName"]),
    ({"zoneName": None}, ["exactly one of hostedZoneId and zoneName"]),
    ({"recordName": "api.other.example"}, ["'api.other.example' is not in the zone"]),
    (
        {"recordName": "topfans.example", "vmTarget": "vm.example"},
        ["zone apex", "set vmTarget to the VM's IPv4 address"],
    ),
    ({"vmTarget": "2001:db8::10"}, ["topfans:cutover.vmTarget = '2001:db8::10'", "IPv6"]),
    ({"vmTarget": "not a host"}, ["topfans:cutover.vmTarget = 'not a host'", "not a DNS host"]),
    ({"vmTarget": infra.RECORD}, ["is recordName itself"]),
    ({"ttl": 0}, ["topfans:cutover.ttl = 0"]),
    ({"retireVm": True}, ["retireVm deletes the VM's record, but eksPercent is 10"]),
    (
        {"recordName": "www.topfans.example"},
        ["differs from gateway.host 'api.dev.topfans.example'", "same host name"],
    ),
]


@pytest.mark.parametrize(
    ("change", "fragments"), BAD_SECTIONS, ids=[str(case[0]) for case in BAD_SECTIONS]
)
def test_bad_cutover_message(change, fragments):
    section = infra.cutover_config(**change)
    config = topfans_config("dev")
    config["cutover"] = {key: value for key, value in section.items() if value is not None}
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "dev")
    assert "\n" not in str(raised.value)
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_percent_from_config_string():
    config = CutoverConfig.model_validate(infra.cutover_config(eksPercent="50"))
    assert config.weights == (50, 50)


# The offline Route 53 handler applies the rules moto leaves out.
@pytest.fixture(scope="module")
def route53():
    """A moto session with the hosted zone topfans.example, and its zone id."""
    backend = AwsBackend("us-east-1")
    with mock_aws():
        zone = backend.client("route53").create_hosted_zone(
            Name=infra.ZONE, CallerReference="cutover-tests"
        )["HostedZone"]
        yield backend, zone["Id"].removeprefix("/hostedzone/")


def _record(zone_id: str, name: str, **inputs: Any) -> dict[str, Any]:
    return {"zoneId": zone_id, "name": name, "type": "A", "ttl": 60, **inputs}


def _weighted(zone_id: str, name: str, identifier: str, weight: int, **inputs: Any) -> dict:
    policies = [{"weight": weight}]
    return _record(
        zone_id, name, setIdentifier=identifier, weightedRoutingPolicies=policies, **inputs
    )


def test_weighted_beside_simple_rejected(route53):
    backend, zone_id = route53
    name = "simple.topfans.example"
    backend.create(RECORD_TYPE, "simple", _record(zone_id, name, records=["203.0.113.1"]))
    weighted = _weighted(zone_id, name, "vm", 100, records=["203.0.113.1"])
    with pytest.raises(RejectedError, match="weighted and non-weighted A records"):
        backend.create(RECORD_TYPE, "weighted", weighted)


def test_cname_beside_address_rejected(route53):
    backend, zone_id = route53
    name = "mixed.topfans.example"
    backend.create(RECORD_TYPE, "vm", _weighted(zone_id, name, "vm", 90, records=["203.0.113.1"]))
    cname = _weighted(zone_id, name, "eks", 10, type="CNAME", records=["alb.example"])
    with pytest.raises(RejectedError, match="CNAME record conflicts with the A record"):
        backend.create(RECORD_TYPE, "eks", cname)


def test_cname_at_apex_rejected(route53):
    backend, zone_id = route53
    apex = _weighted(zone_id, infra.ZONE, "vm", 100, type="CNAME", records=["vm.example"])
    with pytest.raises(RejectedError, match="not permitted at the apex"):
        backend.create(RECORD_TYPE, "apex", apex)


def test_overwrite_adopts_manual_record(route53):
    backend, zone_id = route53
    name = "manual.topfans.example"
    # The runbook's manual step: the VM's record, already weighted, before the stack.
    backend.create(
        RECORD_TYPE, "manual", _weighted(zone_id, name, "vm", 100, records=["203.0.113.1"])
    )
    adopted = _weighted(zone_id, name, "vm", 90, records=["203.0.113.1"], allowOverwrite=True)
    backend.create(RECORD_TYPE, "vm", adopted)
    found = backend.client("route53").list_resource_record_sets(HostedZoneId=zone_id)
    weights = [
        record["Weight"]
        for record in found["ResourceRecordSets"]
        if record["Name"] == f"{name}." and record.get("SetIdentifier") == "vm"
    ]
    assert weights == [90]


def test_duplicate_record_without_overwrite_rejected(route53):
    backend, zone_id = route53
    name = "twice.topfans.example"
    backend.create(
        RECORD_TYPE, "first", _weighted(zone_id, name, "eks", 0, records=["203.0.113.2"])
    )
    with pytest.raises(RejectedError, match="set identifier eks already exists"):
        backend.create(
            RECORD_TYPE, "second", _weighted(zone_id, name, "eks", 0, records=["203.0.113.2"])
        )


def test_readme_cutover_example_valid():
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("### Traffic cutover\n", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = CutoverConfig.model_validate(yaml.safe_load(block)["topfans:cutover"])
    assert config.weights == (90, 10)
