"""The VPC: public and private subnets per availability zone, NAT, flow logs."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam import assume_role_policy
from components.kms import customer_managed_key, encrypted_log_group
from components.naming import child_name, physical_name
from stack_config.model import NetworkConfig


@dataclass(frozen=True)
class NetworkRefs:
    """The network's outputs that the other components use, created or adopted."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]


def subnet_blocks(cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """Split the VPC block into private and public subnet blocks, one of each per zone.

    The block is cut into 16 equal parts: the first `az_count` are private, the
    parts from the ninth on are public, which leaves room for more zones later.
    """
    network = ipaddress.IPv4Network(cidr)
    parts = list(network.subnets(new_prefix=network.prefixlen + 4))
    private = [str(part) for part in parts[:az_count]]
    public = [str(part) for part in parts[8 : 8 + az_count]]
    return private, public


class Network(pulumi.ComponentResource):
    """A VPC with a public and a private subnet in each of `az_count` zones.

    Creates the VPC, an internet gateway, public subnets tagged for internet-facing
    load balancers, private subnets tagged for internal ones, NAT gateways (one, or
    one per zone), route tables, the VPC's default security group with every rule
    removed, and VPC flow logs to a CloudWatch log group encrypted with its own KMS
    key. Exports `refs` (`NetworkRefs`).
    """

    def __init__(
        self,
        name: str,
        config: NetworkConfig,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        zones = aws.get_availability_zones(state="available").names[: config.az_count]
        if len(zones) < config.az_count:
            raise pulumi.RunError(
                f"topfans:network.azCount = {config.az_count}, but the region has only "
                f"{len(zones)} available zones; lower network.azCount"
            )

        self.vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=config.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": physical_name("vpc")},
            opts=child,
        )

        # Without rules the default group denies everything, so nothing that lands in
        # it by accident is reachable (checkov CKV2_AWS_12).
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": physical_name("default-closed")},
            opts=child,
        )

        gateway = aws.ec2.InternetGateway(
            child_name(name, "igw"),
            vpc_id=self.vpc.id,
            tags={"Name": physical_name("igw")},
            opts=child,
        )

        private_blocks, public_blocks = subnet_blocks(config.cidr, config.az_count)
        public_table = aws.ec2.RouteTable(
            child_name(name, "public-rt"),
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags={"Name": physical_name("public")},
            opts=child,
        )
        public_subnets = []
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                child_name(name, f"public-{index}"),
                vpc_id=self.vpc.id,
                cidr_block=public_blocks[index],
                availability_zone=zone,
                # Load balancers and NAT gateways get their addresses explicitly.
                map_public_ip_on_launch=False,
                tags={"Name": physical_name(f"public-{zone}"), "kubernetes.io/role/elb": "1"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                child_name(name, f"public-{index}"),
                subnet_id=subnet.id,
                route_table_id=public_table.id,
                opts=child,
            )
            public_subnets.append(subnet)

        nat_count = 1 if config.nat_gateways == "single" else len(zones)
        nat_gateways = []
        for index in range(nat_count):
            address = aws.ec2.Eip(
                child_name(name, f"nat-{index}"),
                domain="vpc",
                tags={"Name": physical_name(f"nat-{index}")},
                opts=child,
            )
            nat_gateways.append(
                aws.ec2.NatGateway(
                    child_name(name, f"nat-{index}"),
                    allocation_id=address.id,
                    subnet_id=public_subnets[index].id,
                    tags={"Name": physical_name(f"nat-{zones[index]}")},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                )
            )

        private_subnets = []
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                child_name(name, f"private-{index}"),
                vpc_id=self.vpc.id,
                cidr_block=private_blocks[index],
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={
                    "Name": physical_name(f"private-{zone}"),
                    "kubernetes.io/role/internal-elb": "1",
                },
                opts=child,
            )
            # Each private subnet leaves through the NAT in its own zone when there is
            # one per zone, so losing a zone does not cut the others off.
            nat = nat_gateways[index if nat_count > 1 else 0]
            table = aws.ec2.RouteTable(
                child_name(name, f"private-{index}"),
                vpc_id=self.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                tags={"Name": physical_name(f"private-{zone}")},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                child_name(name, f"private-{index}"),
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=child,
            )
            private_subnets.append(subnet)

        self._flow_logs(name, config)

        self.refs = NetworkRefs(
            vpc_id=self.vpc.id,
            vpc_cidr=self.vpc.cidr_block,
            private_subnet_ids=pulumi.Output.all(*[s.id for s in private_subnets]),
            public_subnet_ids=pulumi.Output.all(*[s.id for s in public_subnets]),
        )
        self.register_outputs(
            {
                "vpcId": self.refs.vpc_id,
                "privateSubnetIds": self.refs.private_subnet_ids,
                "publicSubnetIds": self.refs.public_subnet_ids,
            }
        )

    def _flow_logs(self, name: str, config: NetworkConfig) -> None:
        """Send the VPC's flow logs, accepted and rejected, to an encrypted log group."""
        child = pulumi.ResourceOptions(parent=self)
        log_group_name = f"/aws/vpc/{physical_name('flow-logs')}"
        # Flow logs show who talks to whom; a customer-managed key keeps them
        # readable only to those the key policy and IAM allow (checkov CKV_AWS_158).
        key = customer_managed_key(
            self,
            name,
            "flow-logs",
            f"Encrypts the VPC flow logs in {log_group_name}",
            log_group_names=[log_group_name],
        )
        log_group = encrypted_log_group(
            self, child_name(name, "flow-logs"), log_group_name, config.flow_log_retention_days, key
        )
        role = aws.iam.Role(
            child_name(name, "flow-logs"),
            name=physical_name("vpc-flow-logs"),
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicy(
            child_name(name, "flow-logs"),
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": f"{arn}:*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            child_name(name, "flow-logs"),
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            opts=child,
        )
