"""AWS resources created in moto through boto3, with outputs shaped as pulumi-aws returns them.

Each handler takes the resource's inputs (camelCase, secrets opened) and returns its
id and outputs: the inputs plus what AWS computes (ids, ARNs, endpoints). moto
validates what it models. Where it models nothing (EKS add-ons and access entries,
ElastiCache parameter groups, an EKS cluster's security group), the handler checks
the references it can and fills the outputs in the shape AWS returns.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError, ParamValidationError
from moto import mock_aws
from moto.backends import get_backend
from moto.core.model_instances import reset_model_data
from moto.utilities.utils import get_partition

from offline.errors import RejectedError

ACCOUNT_ID = "123456789012"
Handler = Callable[["AwsBackend", str, dict[str, Any]], tuple[str, dict[str, Any]]]
HANDLERS: dict[str, Handler] = {}
INVOKES: dict[str, Callable[[AwsBackend, dict[str, Any]], dict[str, Any]]] = {}

# moto starts once per process and keeps its backends: a fresh start rebuilds them,
# and each IAM backend loads all AWS managed policies (about 1400) as it is built.
_MOTO = mock_aws()
_MOTO_STARTED = False
# Boto3 clients of moto per (service, region), kept for the process like moto itself,
# because each new boto3 session loads the service models again.
_CLIENTS: dict[tuple[str, str], Any] = {}
# The (service, region) pairs a run called, whose backends the next run resets.
_USED: set[tuple[str, str]] = set()


def handles(type_: str) -> Callable[[Handler], Handler]:
    """Register a handler for one pulumi-aws resource type token."""

    def register(handler: Handler) -> Handler:
        HANDLERS[type_] = handler
        return handler

    return register


def answers(token: str):
    """Register a handler for one pulumi-aws function (invoke) token."""

    def register(handler):
        INVOKES[token] = handler
        return handler

    return register


def autoname(logical: str) -> str:
    """Return the engine's auto-name: the logical name and seven random hex digits."""
    return f"{logical}-{secrets.token_hex(4)[:7]}"


def _tags(inputs: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in (inputs.get("tags") or {}).items()]


def _with(inputs: dict[str, Any], **computed: Any) -> dict[str, Any]:
    outputs = dict(inputs)
    outputs.setdefault("tagsAll", dict(inputs.get("tags") or {}))
    outputs.update(computed)
    return outputs


class AwsBackend:
    """moto's in-process AWS for one region, and the handlers that use it."""

    def __init__(self, region: str) -> None:
        self.region = region

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Point boto3 at moto with fake credentials, and empty moto, for a run.

        moto stays started after the run, and what the run created stays in it until
        the next run starts.
        """
        fake = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.region,
            # moto loads the AWS managed policies only when this is set. With them,
            # attaching a misspelt managed policy fails as it would on AWS.
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            # Without a fixed account, moto finds the account of the access key by
            # building the IAM backend of every partition, six in moto 5.2.
            "MOTO_ACCOUNT_ID": ACCOUNT_ID,
        }
        saved = {key: os.environ.get(key) for key in fake}
        os.environ.update(fake)
        _start_moto()
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def client(self, service: str):
        """Return a boto3 client of moto's AWS, one per service and region per process."""
        key = (service, self.region)
        if key not in _CLIENTS:
            _CLIENTS[key] = boto3.client(service, region_name=self.region)
        _USED.add(key)
        return _CLIENTS[key]

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        """Return an ARN in this account (and region, unless the service is global)."""
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT_ID}:{resource}"

    def create(
        self, type_: str, name: str, inputs: dict[str, Any], import_id: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Create one resource in moto and return its id and outputs."""
        handler = HANDLERS.get(type_)
        if handler is None:
            raise RejectedError(
                f"{type_} {name}: the offline engine does not know this resource type"
            )
        try:
            return handler(self, name, inputs)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise RejectedError(
                f"{type_} {name}: AWS rejected it: {details.get('Code')}: {details.get('Message')}"
            ) from None
        except ParamValidationError as error:
            message = " ".join(str(error).split())
            raise RejectedError(f"{type_} {name}: AWS rejected the request: {message}") from None

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        """Return the result of one pulumi-aws function call, computed from moto."""
        handler = INVOKES.get(token)
        if handler is None:
            raise RejectedError(f"{token}: the offline engine does not know this function")
        try:
            return handler(self, args)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise RejectedError(
                f"{token}: AWS rejected it: {details.get('Code')}: {details.get('Message')}"
            ) from None


def _start_moto() -> None:
    """Start moto on the first run of the process; on later runs, empty what runs used.

    Each backend the previous run called is rebuilt in place, so the next run starts
    from an empty account. Backends no run called are kept as they are.
    """
    global _MOTO_STARTED
    if not _MOTO_STARTED:
        _MOTO.start()
        _MOTO_STARTED = True
    for service, region in sorted(_USED):
        backends = get_backend(service).get(ACCOUNT_ID, {})
        # Global services (IAM, STS) keep one backend per partition, not per region.
        for key in (region, get_partition(region)):
            backend = backends.get(key)
            if backend is not None:
                backend.reset()
    _USED.clear()
    reset_model_data()


# Functions (invokes).


@answers("aws:index/getAvailabilityZones:getAvailabilityZones")
def _availability_zones(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    zones = backend.client("ec2").describe_availability_zones()["AvailabilityZones"]
    zones = sorted(zones, key=lambda zone: zone["ZoneName"])
    return {
        "id": backend.region,
        "names": [zone["ZoneName"] for zone in zones],
        "zoneIds": [zone["ZoneId"] for zone in zones],
        "groupNames": [backend.region for _ in zones],
        "state": args.get("state"),
    }


@answers("aws:index/getRegion:getRegion")
def _region(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": backend.region,
        "name": backend.region,
        "region": backend.region,
        "endpoint": f"ec2.{backend.region}.amazonaws.com",
        "description": backend.region,
    }


@answers("aws:index/getCallerIdentity:getCallerIdentity")
def _caller_identity(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    identity = backend.client("sts").get_caller_identity()
    # moto reports its default IAM user as arn:aws:sts::<account>:user/moto, where
    # AWS names an IAM user arn:aws:iam::<account>:user/<name>.
    arn = re.sub(r"^(arn:[^:]+):sts::(\d+):user/", r"\1:iam::\2:user/", identity["Arn"])
    return {
        "id": identity["Account"],
        "accountId": identity["Account"],
        "arn": arn,
        "userId": identity["UserId"],
    }


ASSUMED_ROLE_ARN = re.compile(r"^arn:([^:]+):sts::(\d+):assumed-role/([^/]+)/(.+)$")


@answers("aws:iam/getSessionContext:getSessionContext")
def _session_context(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    # As the provider's data source (terraform-provider-aws aws_iam_session_context)
    # does: an assumed-role ARN resolves to its role, looked up by name for the path
    # and id, and any other ARN passes through as its own issuer.
    arn = args["arn"]
    match = ASSUMED_ROLE_ARN.match(arn)
    if match is None:
        return {
            "id": arn,
            "arn": arn,
            "issuerArn": arn,
            "issuerId": "",
            "issuerName": "",
            "sessionName": "",
        }
    role = backend.client("iam").get_role(RoleName=match.group(3))["Role"]
    return {
        "id": arn,
        "arn": arn,
        "issuerArn": role["Arn"],
        "issuerId": role["RoleId"],
        "issuerName": role["RoleName"],
        "sessionName": match.group(4),
    }


@answers("aws:index/getPartition:getPartition")
def _partition(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


@answers("aws:rds/getInstances:getInstances")
def _db_instances(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    filters = [
        {"Name": item["name"], "Values": item["values"]} for item in args.get("filters") or []
    ]
    instances = backend.client("rds").describe_db_instances(Filters=filters)["DBInstances"]
    return {
        "id": backend.region,
        "instanceIdentifiers": [item["DBInstanceIdentifier"] for item in instances],
        "instanceArns": [item["DBInstanceArn"] for item in instances],
        "filters": args.get("filters"),
    }


@answers("aws:rds/getInstance:getInstance")
def _db_instance_lookup(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    rds = backend.client("rds")
    identifier = args["dbInstanceIdentifier"]
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    tags = rds.list_tags_for_resource(ResourceName=instance["DBInstanceArn"])["TagList"]
    return {
        "id": identifier,
        "dbInstanceIdentifier": identifier,
        "dbInstanceArn": instance["DBInstanceArn"],
        "engine": instance.get("Engine"),
        "engineVersion": instance.get("EngineVersion"),
        "tags": {tag["Key"]: tag["Value"] for tag in tags},
    }


# EC2 networking.


@handles("aws:ec2/vpc:Vpc")
def _vpc(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock=inputs["cidrBlock"],
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags(inputs)}]
        if inputs.get("tags")
        else [],
    )["Vpc"]
    vpc_id = vpc["VpcId"]
    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        if attribute in inputs:
            ec2.modify_vpc_attribute(
                VpcId=vpc_id,
                **{attribute[0].upper() + attribute[1:]: {"Value": bool(inputs[attribute])}},
            )
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "NetworkAcls"
    ]
    return vpc_id, _with(
        inputs,
        arn=backend.arn("ec2", f"vpc/{vpc_id}"),
        defaultSecurityGroupId=groups[0]["GroupId"] if groups else None,
        mainRouteTableId=tables[0]["RouteTableId"] if tables else None,
        defaultRouteTableId=tables[0]["RouteTableId"] if tables else None,
        defaultNetworkAclId=acls[0]["NetworkAclId"] if acls else None,
        ownerId=ACCOUNT_ID,
        instanceTenancy="default",
    )


@handles("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def _default_security_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    group = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [inputs["vpcId"]]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]
    # The resource adopts the default group and replaces its rules with the inputs'.
    if group.get("IpPermissions"):
        ec2.revoke_security_group_ingress(
            GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
        )
    if group.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(
            GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
        )
    for rule in inputs.get("ingress") or []:
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"], IpPermissions=[_permission(rule)]
        )
    for rule in inputs.get("egress") or []:
        ec2.authorize_security_group_egress(
            GroupId=group["GroupId"], IpPermissions=[_permission(rule)]
        )
    return group["GroupId"], _with(
        inputs,
        arn=backend.arn("ec2", f"security-group/{group['GroupId']}"),
        name="default",
        ownerId=ACCOUNT_ID,
        ingress=inputs.get("ingress") or [],
        egress=inputs.get("egress") or [],
    )


@handles("aws:ec2/internetGateway:InternetGateway")
def _internet_gateway(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    if inputs.get("vpcId"):
        ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=inputs["vpcId"])
    return gateway_id, _with(
        inputs, arn=backend.arn("ec2", f"internet-gateway/{gateway_id}"), ownerId=ACCOUNT_ID
    )


@handles("aws:ec2/subnet:Subnet")
def _subnet(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    subnet = ec2.create_subnet(
        VpcId=inputs["vpcId"],
        CidrBlock=inputs["cidrBlock"],
        AvailabilityZone=inputs["availabilityZone"],
        TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(inputs)}]
        if inputs.get("tags")
        else [],
    )["Subnet"]
    if inputs.get("mapPublicIpOnLaunch"):
        ec2.modify_subnet_attribute(
            SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True}
        )
    return subnet["SubnetId"], _with(
        inputs,
        arn=backend.arn("ec2", f"subnet/{subnet['SubnetId']}"),
        availabilityZoneId=subnet.get("AvailabilityZoneId"),
        mapPublicIpOnLaunch=bool(inputs.get("mapPublicIpOnLaunch", False)),
        ownerId=ACCOUNT_ID,
    )


@handles("aws:ec2/eip:Eip")
def _eip(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    address = backend.client("ec2").allocate_address(Domain=inputs.get("domain", "vpc"))
    allocation = address["AllocationId"]
    return allocation, _with(
        inputs,
        allocationId=allocation,
        publicIp=address["PublicIp"],
        arn=backend.arn("ec2", f"elastic-ip/{allocation}"),
    )


@handles("aws:ec2/natGateway:NatGateway")
def _nat_gateway(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    gateway = backend.client("ec2").create_nat_gateway(
        SubnetId=inputs["subnetId"], AllocationId=inputs["allocationId"]
    )["NatGateway"]
    addresses = gateway.get("NatGatewayAddresses") or [{}]
    return gateway["NatGatewayId"], _with(
        inputs,
        connectivityType="public",
        publicIp=addresses[0].get("PublicIp"),
        privateIp=addresses[0].get("PrivateIp"),
        networkInterfaceId=addresses[0].get("NetworkInterfaceId"),
    )


@handles("aws:ec2/routeTable:RouteTable")
def _route_table(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    table_id = ec2.create_route_table(VpcId=inputs["vpcId"])["RouteTable"]["RouteTableId"]
    for route in inputs.get("routes") or []:
        target = {}
        if route.get("gatewayId"):
            target["GatewayId"] = route["gatewayId"]
        if route.get("natGatewayId"):
            target["NatGatewayId"] = route["natGatewayId"]
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=route["cidrBlock"], **target)
    return table_id, _with(
        inputs, arn=backend.arn("ec2", f"route-table/{table_id}"), ownerId=ACCOUNT_ID
    )


@handles("aws:ec2/route:Route")
def _route(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    target = {
        key[0].upper() + key[1:]: inputs[key]
        for key in ("gatewayId", "natGatewayId")
        if inputs.get(key)
    }
    backend.client("ec2").create_route(
        RouteTableId=inputs["routeTableId"],
        DestinationCidrBlock=inputs["destinationCidrBlock"],
        **target,
    )
    return f"r-{inputs['routeTableId']}{hash(inputs['destinationCidrBlock']) & 0xFFFFFFF}", _with(
        inputs
    )


@handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _route_table_association(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    association = backend.client("ec2").associate_route_table(
        RouteTableId=inputs["routeTableId"], SubnetId=inputs["subnetId"]
    )
    return association["AssociationId"], _with(inputs)


def _permission(rule: dict[str, Any]) -> dict[str, Any]:
    """Turn an inline security group rule (pulumi-aws shape) into an EC2 IpPermission."""
    permission: dict[str, Any] = {
        "IpProtocol": str(rule.get("protocol", "-1")),
        "FromPort": int(rule.get("fromPort", 0)),
        "ToPort": int(rule.get("toPort", 0)),
    }
    if rule.get("cidrBlocks"):
        permission["IpRanges"] = [
            {"CidrIp": cidr, "Description": rule.get("description", "")}
            for cidr in rule["cidrBlocks"]
        ]
    if rule.get("securityGroups"):
        permission["UserIdGroupPairs"] = [{"GroupId": group} for group in rule["securityGroups"]]
    return permission


@handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    ec2 = backend.client("ec2")
    group_name = inputs.get("name") or autoname(name)
    description = inputs.get("description", "Managed by Pulumi")
    group_id = ec2.create_security_group(
        GroupName=group_name, Description=description, VpcId=inputs["vpcId"]
    )["GroupId"]
    # Like the provider, drop the allow-all egress rule AWS adds to every new group,
    # so that only the rules the program declares exist.
    created = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if created.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(
            GroupId=group_id, IpPermissions=created["IpPermissionsEgress"]
        )
    for rule in inputs.get("ingress") or []:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[_permission(rule)])
    for rule in inputs.get("egress") or []:
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[_permission(rule)])
    return group_id, _with(
        inputs,
        name=group_name,
        description=description,
        arn=backend.arn("ec2", f"security-group/{group_id}"),
        ownerId=ACCOUNT_ID,
        ingress=inputs.get("ingress") or [],
        egress=inputs.get("egress") or [],
    )


def _rule_permission(inputs: dict[str, Any]) -> dict[str, Any]:
    """Turn a standalone vpc.SecurityGroup*Rule into an EC2 IpPermission."""
    permission: dict[str, Any] = {"IpProtocol": str(inputs["ipProtocol"])}
    if "fromPort" in inputs:
        permission["FromPort"] = int(inputs["fromPort"])
        permission["ToPort"] = int(inputs["toPort"])
    description = inputs.get("description", "")
    if inputs.get("referencedSecurityGroupId"):
        permission["UserIdGroupPairs"] = [
            {"GroupId": inputs["referencedSecurityGroupId"], "Description": description}
        ]
    if inputs.get("cidrIpv4"):
        permission["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], "Description": description}]
    if inputs.get("cidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": inputs["cidrIpv6"], "Description": description}]
    return permission


def _authorize(backend: AwsBackend, inputs: dict[str, Any], direction: str):
    ec2 = backend.client("ec2")
    authorize = (
        ec2.authorize_security_group_ingress
        if direction == "ingress"
        else ec2.authorize_security_group_egress
    )
    response = authorize(
        GroupId=inputs["securityGroupId"], IpPermissions=[_rule_permission(inputs)]
    )
    rule_id = response["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule_id, _with(
        inputs,
        securityGroupRuleId=rule_id,
        arn=backend.arn("ec2", f"security-group-rule/{rule_id}"),
    )


@handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _ingress_rule(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    return _authorize(backend, inputs, "ingress")


@handles("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _egress_rule(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    return _authorize(backend, inputs, "egress")


@handles("aws:ec2/flowLog:FlowLog")
def _flow_log(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    request: dict[str, Any] = {
        "ResourceIds": [inputs["vpcId"]],
        "ResourceType": "VPC",
        "TrafficType": inputs.get("trafficType", "ALL"),
        "LogDestinationType": inputs.get("logDestinationType", "cloud-watch-logs"),
        "LogDestination": inputs["logDestination"],
    }
    if inputs.get("iamRoleArn"):
        request["DeliverLogsPermissionArn"] = inputs["iamRoleArn"]
    response = backend.client("ec2").create_flow_logs(**request)
    if response.get("Unsuccessful"):
        error = response["Unsuccessful"][0]["Error"]
        raise RejectedError(
            f"aws:ec2/flowLog:FlowLog {name}: AWS rejected it: {error['Code']}: {error['Message']}"
        )
    flow_log_id = response["FlowLogIds"][0]
    return flow_log_id, _with(inputs, arn=backend.arn("ec2", f"vpc-flow-log/{flow_log_id}"))


@handles("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    template_name = inputs.get("name") or autoname(name)
    metadata = inputs.get("metadataOptions") or {}
    data: dict[str, Any] = {}
    if metadata:
        data["MetadataOptions"] = {
            "HttpTokens": metadata.get("httpTokens", "optional"),
            "HttpEndpoint": metadata.get("httpEndpoint", "enabled"),
            "HttpPutResponseHopLimit": int(metadata.get("httpPutResponseHopLimit", 1)),
        }
    template = backend.client("ec2").create_launch_template(
        LaunchTemplateName=template_name, LaunchTemplateData=data
    )["LaunchTemplate"]
    return template["LaunchTemplateId"], _with(
        inputs,
        name=template_name,
        arn=backend.arn("ec2", f"launch-template/{template['LaunchTemplateId']}"),
        latestVersion=int(template["LatestVersionNumber"]),
        defaultVersion=int(template["DefaultVersionNumber"]),
    )


# Logs, IAM, KMS.


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    logs = backend.client("logs")
    group_name = inputs.get("name") or autoname(name)
    request: dict[str, Any] = {"logGroupName": group_name}
    if inputs.get("kmsKeyId"):
        request["kmsKeyId"] = inputs["kmsKeyId"]
    logs.create_log_group(**request)
    if inputs.get("retentionInDays"):
        logs.put_retention_policy(
            logGroupName=group_name, retentionInDays=int(inputs["retentionInDays"])
        )
    return group_name, _with(
        inputs, name=group_name, arn=backend.arn("logs", f"log-group:{group_name}")
    )


@handles("aws:iam/role:Role")
def _role(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    role_name = inputs.get("name") or autoname(name)
    role = backend.client("iam").create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
        Path=inputs.get("path", "/"),
    )["Role"]
    return role_name, _with(inputs, name=role_name, arn=role["Arn"], uniqueId=role["RoleId"])


@handles("aws:iam/rolePolicy:RolePolicy")
def _role_policy(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    policy_name = inputs.get("name") or autoname(name)
    backend.client("iam").put_role_policy(
        RoleName=inputs["role"], PolicyName=policy_name, PolicyDocument=inputs["policy"]
    )
    return f"{inputs['role']}:{policy_name}", _with(inputs, name=policy_name)


@handles("aws:iam/policy:Policy")
def _policy(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    policy_name = inputs.get("name") or autoname(name)
    policy = backend.client("iam").create_policy(
        PolicyName=policy_name, PolicyDocument=inputs["policy"]
    )["Policy"]
    return policy["Arn"], _with(
        inputs, name=policy_name, arn=policy["Arn"], policyId=policy["PolicyId"]
    )


@handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    backend.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
    return f"{inputs['role']}-{secrets.token_hex(4)}", _with(inputs)


@handles("aws:kms/key:Key")
def _kms_key(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    kms = backend.client("kms")
    request: dict[str, Any] = {"Description": inputs.get("description", "")}
    if inputs.get("policy"):
        request["Policy"] = inputs["policy"]
    key = kms.create_key(**request)["KeyMetadata"]
    if inputs.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    return key["KeyId"], _with(inputs, arn=key["Arn"], keyId=key["KeyId"])


@handles("aws:kms/alias:Alias")
def _kms_alias(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    alias = inputs.get("name") or f"alias/{autoname(name)}"
    backend.client("kms").create_alias(AliasName=alias, TargetKeyId=inputs["targetKeyId"])
    return alias, _with(inputs, name=alias, arn=backend.arn("kms", alias))


# EKS.


def _require_cluster(backend: AwsBackend, cluster_name: str) -> dict[str, Any]:
    return backend.client("eks").describe_cluster(name=cluster_name)["cluster"]


@handles("aws:eks/cluster:Cluster")
def _eks_cluster(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    eks = backend.client("eks")
    cluster_name = inputs.get("name") or autoname(name)
    vpc_config = inputs.get("vpcConfig") or {}
    request: dict[str, Any] = {
        "name": cluster_name,
        "roleArn": inputs["roleArn"],
        "resourcesVpcConfig": {
            "subnetIds": vpc_config.get("subnetIds", []),
            "securityGroupIds": vpc_config.get("securityGroupIds", []),
            "endpointPublicAccess": bool(vpc_config.get("endpointPublicAccess", True)),
            "endpointPrivateAccess": bool(vpc_config.get("endpointPrivateAccess", False)),
        },
    }
    if vpc_config.get("publicAccessCidrs"):
        request["resourcesVpcConfig"]["publicAccessCidrs"] = vpc_config["publicAccessCidrs"]
    if inputs.get("version"):
        request["version"] = inputs["version"]
    if inputs.get("enabledClusterLogTypes"):
        request["logging"] = {
            "clusterLogging": [{"types": inputs["enabledClusterLogTypes"], "enabled": True}]
        }
    encryption = inputs.get("encryptionConfig")
    if encryption:
        request["encryptionConfig"] = [
            {
                "resources": encryption["resources"],
                "provider": {"keyArn": encryption["provider"]["keyArn"]},
            }
        ]
    cluster = eks.create_cluster(**request)["cluster"]

    # EKS creates the cluster's primary security group itself, but moto does not.
    # Create it here, in the VPC of the cluster's subnets, named as EKS names it.
    subnet_ids = vpc_config.get("subnetIds") or []
    vpc_id = None
    if subnet_ids:
        vpc_id = backend.client("ec2").describe_subnets(SubnetIds=subnet_ids[:1])["Subnets"][0][
            "VpcId"
        ]
        cluster_group = backend.client("ec2").create_security_group(
            GroupName=f"eks-cluster-sg-{cluster_name}-{secrets.randbelow(10**10):010d}",
            Description="EKS created security group applied to ENI that is attached to EKS "
            "Control Plane master nodes, as well as any managed workloads.",
            VpcId=vpc_id,
        )["GroupId"]
    else:
        cluster_group = None
    digest = hashlib.md5(cluster_name.encode()).hexdigest().upper()  # noqa: S324 - a name, not security
    endpoint = f"https://{digest}.gr7.{backend.region}.eks.amazonaws.com"
    issuer = f"https://oidc.eks.{backend.region}.amazonaws.com/id/{digest}"
    authority = cluster.get("certificateAuthority", {}).get("data") or _fake_certificate(
        cluster_name
    )
    outputs = _with(
        inputs,
        name=cluster_name,
        arn=cluster["arn"],
        endpoint=endpoint,
        status="ACTIVE",
        platformVersion="eks.1",
        certificateAuthority={"data": authority},
        identities=[{"oidcs": [{"issuer": issuer}]}],
        clusterId=cluster.get("id") or secrets.token_hex(16),
        createdAt=str(cluster.get("createdAt", "")),
    )
    outputs["vpcConfig"] = dict(vpc_config, clusterSecurityGroupId=cluster_group, vpcId=vpc_id)
    return cluster_name, outputs


def _fake_certificate(seed: str) -> str:
    import base64

    body = base64.b64encode(hashlib.sha256(seed.encode()).digest() * 8).decode()
    pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    return base64.b64encode(pem.encode()).decode()


@handles("aws:eks/nodeGroup:NodeGroup")
def _node_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    group_name = inputs.get("nodeGroupName") or autoname(name)
    scaling = inputs.get("scalingConfig") or {}
    request: dict[str, Any] = {
        "clusterName": inputs["clusterName"],
        "nodegroupName": group_name,
        "nodeRole": inputs["nodeRoleArn"],
        "subnets": inputs["subnetIds"],
        "scalingConfig": {
            "minSize": int(scaling.get("minSize", 1)),
            "maxSize": int(scaling.get("maxSize", 1)),
            "desiredSize": int(scaling.get("desiredSize", 1)),
        },
    }
    for source, target in (
        ("instanceTypes", "instanceTypes"),
        ("amiType", "amiType"),
        ("capacityType", "capacityType"),
    ):
        if inputs.get(source):
            request[target] = inputs[source]
    if inputs.get("launchTemplate"):
        template = inputs["launchTemplate"]
        request["launchTemplate"] = {
            "id": template.get("id"),
            "version": str(template.get("version", "1")),
        }
    group = backend.client("eks").create_nodegroup(**request)["nodegroup"]
    return f"{inputs['clusterName']}:{group_name}", _with(
        inputs, nodeGroupName=group_name, arn=group["nodegroupArn"], status="ACTIVE"
    )


@handles("aws:eks/addon:Addon")
def _eks_addon(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    cluster = _require_cluster(backend, inputs["clusterName"])
    addon = inputs["addonName"]
    return f"{cluster['name']}:{addon}", _with(
        inputs,
        arn=backend.arn("eks", f"addon/{cluster['name']}/{addon}/{secrets.token_hex(16)}"),
        addonVersion=inputs.get("addonVersion") or "v0.0.0-eksbuild.1",
    )


@handles("aws:eks/accessEntry:AccessEntry")
def _eks_access_entry(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    cluster = _require_cluster(backend, inputs["clusterName"])
    principal = inputs["principalArn"]
    return f"{cluster['name']}:{principal}", _with(
        inputs,
        accessEntryArn=backend.arn("eks", f"access-entry/{cluster['name']}/{secrets.token_hex(8)}"),
        type=inputs.get("type", "STANDARD"),
        userName=principal,
    )


@handles("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
def _eks_access_policy(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    cluster = _require_cluster(backend, inputs["clusterName"])
    return f"{cluster['name']}#{inputs['principalArn']}#{inputs['policyArn']}", _with(inputs)


@handles("aws:eks/podIdentityAssociation:PodIdentityAssociation")
def _eks_pod_identity(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    cluster = _require_cluster(backend, inputs["clusterName"])
    association = f"a-{secrets.token_hex(9)}"
    return f"{cluster['name']},{association}", _with(
        inputs,
        associationId=association,
        associationArn=backend.arn(
            "eks", f"podidentityassociation/{cluster['name']}/{association}"
        ),
    )


# RDS.


@handles("aws:rds/subnetGroup:SubnetGroup")
def _db_subnet_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    group_name = inputs.get("name") or autoname(name)
    group = backend.client("rds").create_db_subnet_group(
        DBSubnetGroupName=group_name,
        DBSubnetGroupDescription=inputs.get("description", "Managed by Pulumi"),
        SubnetIds=inputs["subnetIds"],
    )["DBSubnetGroup"]
    return group_name, _with(
        inputs, name=group_name, arn=group["DBSubnetGroupArn"], vpcId=group["VpcId"]
    )


@handles("aws:rds/parameterGroup:ParameterGroup")
def _db_parameter_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    rds = backend.client("rds")
    group_name = inputs.get("name") or autoname(name)
    group = rds.create_db_parameter_group(
        DBParameterGroupName=group_name,
        DBParameterGroupFamily=inputs["family"],
        Description=inputs.get("description", "Managed by Pulumi"),
    )["DBParameterGroup"]
    parameters = [
        {
            "ParameterName": parameter["name"],
            "ParameterValue": str(parameter["value"]),
            "ApplyMethod": parameter.get("applyMethod", "immediate"),
        }
        for parameter in inputs.get("parameters") or []
    ]
    if parameters:
        rds.modify_db_parameter_group(DBParameterGroupName=group_name, Parameters=parameters)
    return group_name, _with(inputs, name=group_name, arn=group["DBParameterGroupArn"])


def _int(inputs: dict[str, Any], key: str) -> dict[str, int]:
    return {} if inputs.get(key) is None else {key: int(inputs[key])}


@handles("aws:rds/instance:Instance")
def _db_instance(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    identifier = inputs.get("identifier") or autoname(name)
    request: dict[str, Any] = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceClass": inputs["instanceClass"],
        "Engine": inputs["engine"],
        "AllocatedStorage": int(inputs.get("allocatedStorage", 20)),
        "MasterUsername": inputs.get("username"),
        "MasterUserPassword": inputs.get("password"),
        "MultiAZ": bool(inputs.get("multiAz", False)),
        "PubliclyAccessible": bool(inputs.get("publiclyAccessible", False)),
        "StorageEncrypted": bool(inputs.get("storageEncrypted", False)),
        "DeletionProtection": bool(inputs.get("deletionProtection", False)),
        "CopyTagsToSnapshot": bool(inputs.get("copyTagsToSnapshot", False)),
        "VpcSecurityGroupIds": inputs.get("vpcSecurityGroupIds", []),
        "EnableIAMDatabaseAuthentication": bool(
            inputs.get("iamDatabaseAuthenticationEnabled", False)
        ),
        "AutoMinorVersionUpgrade": bool(inputs.get("autoMinorVersionUpgrade", True)),
        "Tags": _tags(inputs),
    }
    optional = {
        "engineVersion": "EngineVersion",
        "dbName": "DBName",
        "dbSubnetGroupName": "DBSubnetGroupName",
        "parameterGroupName": "DBParameterGroupName",
        "storageType": "StorageType",
        "kmsKeyId": "KmsKeyId",
        "backupWindow": "PreferredBackupWindow",
        "maintenanceWindow": "PreferredMaintenanceWindow",
        "caCertIdentifier": "CACertificateIdentifier",
    }
    for source, target in optional.items():
        if inputs.get(source) is not None:
            request[target] = inputs[source]
    if inputs.get("backupRetentionPeriod") is not None:
        request["BackupRetentionPeriod"] = int(inputs["backupRetentionPeriod"])
    if inputs.get("maxAllocatedStorage") is not None:
        request["MaxAllocatedStorage"] = int(inputs["maxAllocatedStorage"])
    if inputs.get("enabledCloudwatchLogsExports"):
        request["EnableCloudwatchLogsExports"] = inputs["enabledCloudwatchLogsExports"]
    if inputs.get("performanceInsightsEnabled"):
        request["EnablePerformanceInsights"] = True
        if inputs.get("performanceInsightsKmsKeyId"):
            request["PerformanceInsightsKMSKeyId"] = inputs["performanceInsightsKmsKeyId"]
    if inputs.get("monitoringInterval"):
        request["MonitoringInterval"] = int(inputs["monitoringInterval"])
        request["MonitoringRoleArn"] = inputs.get("monitoringRoleArn")
    instance = backend.client("rds").create_db_instance(
        **{k: v for k, v in request.items() if v is not None}
    )["DBInstance"]
    endpoint = instance.get("Endpoint") or {}
    address = (
        endpoint.get("Address")
        or f"{identifier}.c{secrets.token_hex(6)}.{backend.region}.rds.amazonaws.com"
    )
    port = int(endpoint.get("Port") or 3306)
    outputs = _with(
        inputs,
        identifier=identifier,
        address=address,
        port=port,
        endpoint=f"{address}:{port}",
        arn=instance["DBInstanceArn"],
        resourceId=instance.get("DbiResourceId"),
        hostedZoneId="Z2R2ITUGPM61AM",
        engineVersionActual=instance.get("EngineVersion"),
        status="available",
    )
    return identifier, outputs


# ElastiCache.


@handles("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnet_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    group_name = inputs.get("name") or autoname(name)
    group = backend.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=group_name,
        CacheSubnetGroupDescription=inputs.get("description", "Managed by Pulumi"),
        SubnetIds=inputs["subnetIds"],
    )["CacheSubnetGroup"]
    return group_name, _with(
        inputs, name=group_name, arn=group.get("ARN"), vpcId=group.get("VpcId")
    )


# Parameter group families ElastiCache accepts for Redis OSS. moto models no groups,
# and this copy stays independent of the program's table so that it can catch it.
REDIS_FAMILIES = {"redis6.x", "redis7"}
# The values ElastiCache accepts for the Redis parameter maxmemory-policy.
REDIS_MAXMEMORY_POLICIES = {
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
}


@handles("aws:elasticache/parameterGroup:ParameterGroup")
def _cache_parameter_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    group_name = inputs.get("name") or autoname(name)
    if inputs["family"] not in REDIS_FAMILIES:
        raise RejectedError(
            f"aws:elasticache/parameterGroup:ParameterGroup {name}: AWS rejected it: "
            f"InvalidParameterValue: unknown family {inputs['family']!r}"
        )
    # Only the parameter the program sets is checked; others pass unchecked.
    for parameter in inputs.get("parameters") or []:
        if not parameter.get("name") or parameter.get("value") is None:
            raise RejectedError(
                f"aws:elasticache/parameterGroup:ParameterGroup {name}: AWS rejected the "
                f"request: a parameter needs a name and a value, got {parameter!r}"
            )
        if (
            parameter["name"] == "maxmemory-policy"
            and parameter["value"] not in REDIS_MAXMEMORY_POLICIES
        ):
            raise RejectedError(
                f"aws:elasticache/parameterGroup:ParameterGroup {name}: AWS rejected it: "
                f"InvalidParameterValue: maxmemory-policy {parameter['value']!r}"
            )
    return group_name, _with(
        inputs, name=group_name, arn=backend.arn("elasticache", f"parametergroup:{group_name}")
    )


@handles("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    group_id = inputs.get("replicationGroupId") or autoname(name)
    if inputs.get("authToken") and not _truthy(inputs.get("transitEncryptionEnabled")):
        raise RejectedError(
            f"aws:elasticache/replicationGroup:ReplicationGroup {name}: AWS rejected it: "
            "InvalidParameterValue: an auth token requires in-transit encryption"
        )
    request: dict[str, Any] = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": inputs.get("description", "Managed by Pulumi"),
        "Engine": inputs.get("engine", "redis"),
        "CacheNodeType": inputs["nodeType"],
        "NumCacheClusters": int(inputs.get("numCacheClusters", 1)),
        "AutomaticFailoverEnabled": _truthy(inputs.get("automaticFailoverEnabled")),
        "MultiAZEnabled": _truthy(inputs.get("multiAzEnabled")),
        "TransitEncryptionEnabled": _truthy(inputs.get("transitEncryptionEnabled")),
        "AtRestEncryptionEnabled": _truthy(inputs.get("atRestEncryptionEnabled")),
    }
    optional = {
        "engineVersion": "EngineVersion",
        "subnetGroupName": "CacheSubnetGroupName",
        "parameterGroupName": "CacheParameterGroupName",
        "authToken": "AuthToken",
        "kmsKeyId": "KmsKeyId",
        "snapshotWindow": "SnapshotWindow",
        "maintenanceWindow": "PreferredMaintenanceWindow",
    }
    for source, target in optional.items():
        if inputs.get(source) is not None:
            request[target] = inputs[source]
    if inputs.get("securityGroupIds"):
        request["SecurityGroupIds"] = inputs["securityGroupIds"]
    if inputs.get("port") is not None:
        request["Port"] = int(inputs["port"])
    if inputs.get("snapshotRetentionLimit") is not None:
        request["SnapshotRetentionLimit"] = int(inputs["snapshotRetentionLimit"])
    group = backend.client("elasticache").create_replication_group(**request)["ReplicationGroup"]
    suffix = secrets.token_hex(3)
    short_region = {
        "us-east-1": "use1",
        "us-west-2": "usw2",
        "eu-west-1": "euw1",
        "ap-northeast-1": "apne1",
    }.get(backend.region, backend.region.replace("-", ""))
    primary = f"master.{group_id}.{suffix}.{short_region}.cache.amazonaws.com"
    reader = f"replica.{group_id}.{suffix}.{short_region}.cache.amazonaws.com"
    members = group.get("MemberClusters") or [
        f"{group_id}-{index + 1:03d}" for index in range(request["NumCacheClusters"])
    ]
    return group_id, _with(
        inputs,
        replicationGroupId=group_id,
        arn=group.get("ARN") or backend.arn("elasticache", f"replicationgroup:{group_id}"),
        primaryEndpointAddress=primary,
        readerEndpointAddress=reader,
        memberClusters=members,
        engineVersionActual=inputs.get("engineVersion"),
        clusterEnabled=False,
    )


def _truthy(value: Any) -> bool:
    """Read a pulumi-aws boolean that may arrive as a bool or as "true"/"false"."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


# Lookups of existing infrastructure (a VPC, subnets, an EKS cluster) for adoption.


def _filters(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn pulumi-aws data source filters into EC2 API filters."""
    return [
        {"Name": item["name"], "Values": list(item["values"])} for item in args.get("filters") or []
    ]


def _tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}


@answers("aws:ec2/getVpcs:getVpcs")
def _get_vpcs(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    vpcs = backend.client("ec2").describe_vpcs(Filters=_filters(args))["Vpcs"]
    return {"id": backend.region, "ids": [vpc["VpcId"] for vpc in vpcs]}


@answers("aws:ec2/getVpc:getVpc")
def _get_vpc(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    vpc = backend.client("ec2").describe_vpcs(VpcIds=[args["id"]])["Vpcs"][0]
    return {
        "id": vpc["VpcId"],
        "arn": backend.arn("ec2", f"vpc/{vpc['VpcId']}"),
        "cidrBlock": vpc["CidrBlock"],
        "default": bool(vpc.get("IsDefault")),
        "ownerId": vpc.get("OwnerId", ACCOUNT_ID),
        "state": vpc.get("State", "available"),
        "tags": _tag_map(vpc.get("Tags")),
    }


@answers("aws:ec2/getSubnets:getSubnets")
def _get_subnets(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    subnets = backend.client("ec2").describe_subnets(Filters=_filters(args))["Subnets"]
    return {"id": backend.region, "ids": [subnet["SubnetId"] for subnet in subnets]}


@answers("aws:ec2/getSubnet:getSubnet")
def _get_subnet(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    subnet = backend.client("ec2").describe_subnets(SubnetIds=[args["id"]])["Subnets"][0]
    return {
        "id": subnet["SubnetId"],
        "arn": backend.arn("ec2", f"subnet/{subnet['SubnetId']}"),
        "vpcId": subnet["VpcId"],
        "cidrBlock": subnet["CidrBlock"],
        "availabilityZone": subnet["AvailabilityZone"],
        "availabilityZoneId": subnet.get("AvailabilityZoneId"),
        "mapPublicIpOnLaunch": bool(subnet.get("MapPublicIpOnLaunch")),
        "ownerId": subnet.get("OwnerId", ACCOUNT_ID),
        "state": subnet.get("State", "available"),
        "tags": _tag_map(subnet.get("Tags")),
    }


@answers("aws:eks/getClusters:getClusters")
def _get_clusters(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": backend.region, "names": backend.client("eks").list_clusters()["clusters"]}


@answers("aws:eks/getCluster:getCluster")
def _get_cluster(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    cluster = _require_cluster(backend, args["name"])
    vpc_config = cluster.get("resourcesVpcConfig") or {}
    subnet_ids = vpc_config.get("subnetIds") or []
    ec2 = backend.client("ec2")
    vpc_id = ec2.describe_subnets(SubnetIds=subnet_ids[:1])["Subnets"][0]["VpcId"]
    # moto models no cluster security group; the cluster handler and the offline
    # seed create it under the name EKS gives it.
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [f"eks-cluster-sg-{cluster['name']}-*"]},
        ]
    )["SecurityGroups"]

    network = cluster.get("kubernetesNetworkConfig") or {}
    balancing = network.get("elasticLoadBalancing") or {}
    authority = (cluster.get("certificateAuthority") or {}).get("data")
    return {
        "id": cluster["name"],
        "name": cluster["name"],
        "arn": cluster["arn"],
        "endpoint": cluster["endpoint"],
        "version": cluster.get("version"),
        "status": cluster.get("status", "ACTIVE"),
        "roleArn": cluster.get("roleArn"),
        "platformVersion": cluster.get("platformVersion"),
        "certificateAuthorities": [{"data": authority or _fake_certificate(cluster["name"])}],
        "identities": [{"oidcs": [{"issuer": cluster["identity"]["oidc"]["issuer"]}]}],
        "kubernetesNetworkConfigs": [
            {
                "elasticLoadBalancings": [{"enabled": bool(balancing.get("enabled"))}],
                "ipFamily": network.get("ipFamily", "ipv4"),
                "serviceIpv4Cidr": network.get("serviceIpv4Cidr", "172.20.0.0/16"),
            }
        ],
        "vpcConfig": {
            "vpcId": vpc_id,
            "subnetIds": subnet_ids,
            "securityGroupIds": vpc_config.get("securityGroupIds") or [],
            "clusterSecurityGroupId": groups[0]["GroupId"] if groups else "",
            "endpointPrivateAccess": bool(vpc_config.get("endpointPrivateAccess")),
            "endpointPublicAccess": bool(vpc_config.get("endpointPublicAccess", True)),
            "publicAccessCidrs": vpc_config.get("publicAccessCidrs") or [],
        },
        "tags": cluster.get("tags") or {},
    }


# Route 53.

# The hosted zone ids of Application Load Balancers per region, for alias records,
# from the "Elastic Load Balancing endpoints and quotas" table of the AWS General
# Reference (https://docs.aws.amazon.com/general/latest/gr/elb.html).
ALB_HOSTED_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "ap-south-1": "Z11127IXD6XFTK",
}


@answers("aws:lb/getHostedZoneId:getHostedZoneId")
def _load_balancer_zone(backend: AwsBackend, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or backend.region
    kind = args.get("loadBalancerType") or "application"
    if kind != "application" or region not in ALB_HOSTED_ZONE_IDS:
        raise RejectedError(
            f"aws:lb/getHostedZoneId:getHostedZoneId: the offline engine knows the "
            f"zone ids of application load balancers in {', '.join(ALB_HOSTED_ZONE_IDS)} "
            f"only, not of {kind} ones in {region}"
        )
    return {"id": ALB_HOSTED_ZONE_IDS[region], "loadBalancerType": kind, "region": region}


def _zone_outputs(zone: dict[str, Any]) -> dict[str, Any]:
    zone_id = zone["Id"].removeprefix("/hostedzone/")
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": zone["Name"].removesuffix("."),
        "privateZone": bool((zone.get("Config") or {}).get("PrivateZone")),
        "resourceRecordSetCount": zone.get("ResourceRecordSetCount", 2),
        "callerReference": zone.get("CallerReference", ""),
        "comment": (zone.get("Config") or {}).get("Comment", ""),
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
    }


@answers("aws:route53/getZone:getZone")
def _get_zone(backend: AwsBackend, args: dict[str, Any]):
    """Return the zone's outputs, or a failed invoke if no zone matches, as the provider does.

    A failed invoke is the (outputs, failures) pair that the SDK's mock monitor accepts.
    The program receives it as the exception a real failed invoke raises, so it may
    catch it.
    """
    route53 = backend.client("route53")
    private = bool(args.get("privateZone"))
    if args.get("zoneId"):
        zones = [
            zone
            for zone in route53.list_hosted_zones()["HostedZones"]
            if zone["Id"].removeprefix("/hostedzone/") == args["zoneId"]
        ]
    else:
        name = str(args["name"]).removesuffix(".") + "."
        zones = [
            zone
            for zone in route53.list_hosted_zones_by_name(DNSName=name)["HostedZones"]
            if zone["Name"] == name and bool(zone["Config"].get("PrivateZone")) == private
        ]
    if len(zones) != 1:
        return {}, [("name", "no matching Route 53 Hosted Zone found")]
    return _zone_outputs(zones[0])


def _record_sets(backend: AwsBackend, zone_id: str, name: str) -> list[dict[str, Any]]:
    """Return the record sets of a zone that have this name (with the trailing dot)."""
    found = backend.client("route53").list_resource_record_sets(
        HostedZoneId=zone_id, StartRecordName=name
    )["ResourceRecordSets"]
    return [record for record in found if record["Name"] == name]


def _check_record_rules(
    record: dict[str, Any],
    existing: list[dict[str, Any]],
    name: str,
    zone_name: str,
    overwrite: bool,
) -> None:
    """Raise RejectedError for a record that breaks a Route 53 rule moto does not check.

    The rules, from the Route 53 Developer Guide ("Values specific for weighted
    records"): the records of a weighted group share name and type, and a weighted
    record cannot share name and type with a non-weighted one. No CNAME may sit at the
    zone apex or beside another record of the same name (RFC 1912, section 2.4). A
    CREATE fails if the record exists already.
    """
    kind = record["Type"]
    weighted = "Weight" in record
    prefix = f"aws:route53/record:Record {name}: AWS rejected it: InvalidChangeBatch"
    if weighted and not record.get("SetIdentifier"):
        raise RejectedError(f"{prefix}: a weighted record needs a set identifier")
    if kind == "CNAME" and record["Name"] == zone_name:
        raise RejectedError(f"{prefix}: a CNAME is not permitted at the apex of {zone_name}")
    for other in existing:
        if other.get("SetIdentifier") == record.get("SetIdentifier") and other["Type"] == kind:
            if overwrite:
                continue  # The record itself, which an UPSERT replaces.
            raise RejectedError(
                f"{prefix}: a {kind} record {record['Name']} with set identifier "
                f"{record.get('SetIdentifier')} already exists"
            )
        if "CNAME" in (kind, other["Type"]) and kind != other["Type"]:
            raise RejectedError(
                f"{prefix}: a {kind} record conflicts with the {other['Type']} record "
                f"of the same name {record['Name']}"
            )
        if other["Type"] == kind and ("Weight" in other) != weighted:
            raise RejectedError(
                f"{prefix}: weighted and non-weighted {kind} records cannot share the "
                f"name {record['Name']}"
            )


@handles("aws:route53/record:Record")
def _route53_record(backend: AwsBackend, name: str, inputs: dict[str, Any]):
    route53 = backend.client("route53")
    zone_id = inputs["zoneId"]
    zone_name = route53.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"]
    fqdn = str(inputs["name"]).removesuffix(".") + "."

    record: dict[str, Any] = {"Name": fqdn, "Type": inputs["type"]}
    if inputs.get("setIdentifier"):
        record["SetIdentifier"] = inputs["setIdentifier"]
    for policy in inputs.get("weightedRoutingPolicies") or []:
        record["Weight"] = int(policy["weight"])
    aliases = inputs.get("aliases") or []
    if aliases:
        alias = aliases[0]
        record["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth")),
        }
    else:
        record["TTL"] = int(inputs["ttl"])
        record["ResourceRecords"] = [{"Value": value} for value in inputs.get("records") or []]
    # allowOverwrite makes the provider send UPSERT, which adopts a record of the same
    # name, type and set identifier; otherwise CREATE fails if one exists.
    overwrite = bool(inputs.get("allowOverwrite"))
    existing = _record_sets(backend, zone_id, fqdn)
    _check_record_rules(record, existing, name, zone_name, overwrite)
    action = "UPSERT" if overwrite else "CREATE"
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]},
    )
    identifier = "_".join(
        part
        for part in (zone_id, fqdn.removesuffix("."), inputs["type"], inputs.get("setIdentifier"))
        if part
    )
    return identifier, _with(inputs, fqdn=fqdn.removesuffix("."))
