"""Realistic, deterministic demo data for one year of an online business.

`plan_for` sizes a dataset, `generate` streams it as Arrow tables; see
`chatlift.demo.generate` for how the pieces fit and `chatlift.demo.targets`
for the published figures it is calibrated to.
"""

from chatlift.demo.generate import generate, generate_chunks
from chatlift.demo.plan import SIZES, DemoPlan, plan_for

__all__ = ["SIZES", "DemoPlan", "generate", "generate_chunks", "plan_for"]
