"""Customer-managed KMS keys, one per purpose, each with rotation and an explicit policy."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.naming import child_name, physical_name

# AWS deletes a scheduled key after this many days; 30 is the maximum, so a key
# deleted by mistake can be restored for as long as possible.
KEY_DELETION_WINDOW_DAYS = 30


def key_policy(
    partition: str,
    account_id: str,
    region: str,
    log_group_names: Sequence[str] = (),
) -> str:
    """Return the key policy document: the account administers the key through IAM.

    The account-root statement is the one AWS writes by default, made explicit so
    that the policy is reviewed with the code. RDS, ElastiCache and EKS use the key
    through grants made for the caller, so they need no statement of their own.
    CloudWatch Logs does not act for a caller, so a key that encrypts log groups
    gets a statement for the regional Logs service, limited by the encryption
    context (`kms:EncryptionContext:aws:logs:arn`) to those log groups.
    """
    statements: list[dict] = [
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if log_group_names:
        log_group_arns = [
            f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group}"
            for log_group in log_group_names
        ]
        statements.append(
            {
                "Sid": "CloudWatchLogsEncryptsTheseLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arns}},
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def customer_managed_key(
    parent: pulumi.Resource,
    name: str,
    purpose: str,
    description: str,
    log_group_names: Sequence[str] = (),
) -> aws.kms.Key:
    """Create a KMS key with yearly rotation and the alias `alias/<project>-<stack>-<purpose>`.

    `name` is the owning component's name, so the key's logical name derives from
    it. Pass `log_group_names` for a key that encrypts those CloudWatch log groups.
    """
    identity = aws.get_caller_identity()
    partition = aws.get_partition().partition
    region = aws.get_region().region
    key = aws.kms.Key(
        child_name(name, f"{purpose}-key"),
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
        policy=key_policy(partition, identity.account_id, region, log_group_names),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.kms.Alias(
        child_name(name, f"{purpose}-key"),
        name=f"alias/{physical_name(purpose)}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key


def encrypted_log_group(
    parent: pulumi.Resource,
    logical_name: str,
    log_group_name: str,
    retention_days: int,
    key: aws.kms.Key,
) -> aws.cloudwatch.LogGroup:
    """Create a CloudWatch log group encrypted with `key` that keeps events `retention_days`.

    The key's policy must name `log_group_name` (see `key_policy`), or CloudWatch
    Logs rejects the key.
    """
    return aws.cloudwatch.LogGroup(
        logical_name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=key.arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )
