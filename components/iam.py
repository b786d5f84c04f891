"""IAM policy documents shared by the components."""

from __future__ import annotations

import json


def assume_role_policy(service: str, tag_session: bool = False) -> str:
    """Return a trust policy that lets one AWS service principal assume the role."""
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}
            ],
        }
    )
