"""Build a Cutover per case of the config key `cases:table`, in front of one ALB host name.

Each case is a `topfans:cutover` section. The program exports `outcomes`: per case
"created" or the `ConfigError` message, so one offline run checks every case.
"""

import json

import pulumi

from components.cutover import Cutover
from stack_config import ConfigError
from stack_config.model import CutoverConfig

ALB_HOSTNAME = "k8s-topfans-gateway-0123456789-1234567890.us-east-1.elb.amazonaws.com"

cases = json.loads(pulumi.Config("cases").require("table"))
outcomes = {}
for name, case in cases.items():
    try:
        Cutover(name, CutoverConfig.model_validate(case), ALB_HOSTNAME)
        outcomes[name] = "created"
    except ConfigError as error:
        outcomes[name] = str(error)
pulumi.export("outcomes", outcomes)
