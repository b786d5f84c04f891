"""Rules over the AWS resources: the data layer, the cluster and the network.

Each rule names the checkov check it mirrors, so a reader can compare it with the
check's documentation.
"""

from __future__ import annotations

from rules import ResourceView, StackContext, resource_rule

RDS_INSTANCE = "aws:rds/instance:Instance"


@resource_rule(
    "rds-storage-encrypted",
    "RDS storage is encrypted at rest",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_16"],
)
def rds_storage_encrypted(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("storageEncrypted") is not True:
        return "storageEncrypted is not true; set storage_encrypted=True"
    return None


@resource_rule(
    "rds-not-public",
    "RDS is not publicly accessible",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_17"],
)
def rds_not_public(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("publiclyAccessible") is True:
        return "publiclyAccessible is true; set publicly_accessible=False"
    return None


@resource_rule(
    "rds-multi-az",
    "RDS runs Multi-AZ",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_157"],
    relaxation="single-az-database",
)
def rds_multi_az(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("multiAz") is not True:
        return "multiAz is not true; set database.multiAz to true"
    return None
