"""The traffic cutover: weighted Route 53 records that split one host name between VM and EKS."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.naming import child_name
from stack_config import ConfigError
from stack_config.model import CutoverConfig, check_record_in_zone

KEY = "topfans:cutover"
# The set identifiers of the two weighted records.
VM_SET = "vm"
EKS_SET = "eks"


class Cutover(pulumi.ComponentResource):
    """Two weighted Route 53 records for the public host name: the VM's and the ALB's.

    Looks up the public hosted zone and creates two records of the host name. The
    record `vm` has weight 100 - eksPercent and is an A record of the VM's IPv4
    address or a CNAME of its host name. The record `eks` has weight eksPercent and
    names the gateway's ALB. Route 53 requires the records of a weighted group to
    share their type, so it is an A alias record beside an A record and a CNAME
    beside a CNAME. With retireVm only the record `eks` remains. Exports `weights`,
    by set identifier.
    """

    def __init__(
        self,
        name: str,
        config: CutoverConfig,
        gateway_hostname: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The lookup and its checks run before the component registers, so a bad zone
        # fails the run before any resource exists.
        key, value = (
            ("hostedZoneId", config.hosted_zone_id)
            if config.hosted_zone_id is not None
            else ("zoneName", config.zone_name)
        )
        try:
            zone = aws.route53.get_zone(
                zone_id=config.hosted_zone_id, name=config.zone_name, private_zone=False
            )
        # The SDK raises a bare Exception for a failed invoke, such as a zone not found.
        except Exception as error:
            raise ConfigError(
                f"{KEY}.{key} = {value!r}: looking up the public hosted zone failed "
                f"({error}); set it to a public zone of the account "
                "(aws route53 list-hosted-zones)"
            ) from None
        if config.hosted_zone_id is not None:
            # The zone's name is known only now, so check the record against it here.
            if zone.private_zone:
                raise ConfigError(
                    f"{KEY}.hostedZoneId = {config.hosted_zone_id!r}: the zone is private, "
                    "so internet clients never see its records; use the public zone's id"
                )
            try:
                check_record_in_zone(config.record_name, zone.name, config.vm_target_is_address)
            except ValueError as error:
                raise ConfigError(f"{KEY}: {error}") from None

        super().__init__("topfans:cutover:Cutover", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        vm_weight, eks_weight = config.weights
        record_type = "A" if config.vm_target_is_address else "CNAME"

        # The VM's record may already exist as a weighted record made by hand (see
        # docs/migration.md); allow_overwrite makes the provider adopt it with an UPSERT.
        self.vm_record: aws.route53.Record | None = None
        if not config.retire_vm:
            self.vm_record = aws.route53.Record(
                child_name(name, VM_SET),
                zone_id=zone.zone_id,
                name=config.record_name,
                type=record_type,
                set_identifier=VM_SET,
                weighted_routing_policies=[{"weight": vm_weight}],
                records=[config.vm_target],
                ttl=config.ttl,
                allow_overwrite=True,
                opts=child,
            )

        if config.vm_target_is_address:
            # An alias record has no TTL of its own, because Route 53 returns the ALB's
            # addresses. With evaluate_target_health the record inherits the health of
            # the ALB's target groups, so while they are unhealthy Route 53 returns the
            # VM's record instead (Route 53 API reference, AliasTarget).
            balancer_zone = aws.lb.get_hosted_zone_id(load_balancer_type="application")
            target: dict = {
                "aliases": [
                    {
                        "name": gateway_hostname,
                        "zone_id": balancer_zone.id,
                        "evaluate_target_health": True,
                    }
                ]
            }
        else:
            target = {"records": [gateway_hostname], "ttl": config.ttl}
        self.eks_record = aws.route53.Record(
            child_name(name, EKS_SET),
            zone_id=zone.zone_id,
            name=config.record_name,
            type=record_type,
            set_identifier=EKS_SET,
            weighted_routing_policies=[{"weight": eks_weight}],
            opts=child,
            **target,
        )

        self.weights = {EKS_SET: eks_weight}
        if self.vm_record is not None:
            self.weights[VM_SET] = vm_weight
        self.register_outputs({"recordName": config.record_name, "weights": self.weights})
