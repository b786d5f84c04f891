"""Entry point of the topfans policy pack: `pulumi preview --policy-pack policy`.

The pack runs the rules of `rules/` from this repository, so it puts the
repository root on the import path first.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy.pack import build_policies  # noqa: E402

PolicyPack(
    name="topfans",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
