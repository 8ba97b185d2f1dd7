"""The randomized "real-time support" experiment planted in the demo data.

Modelled on Intercom's 16-week split test (seed 004, Russian, "Как техническая
поддержка клиентов улучшает конверсию"): half of the *new signups* got support
with a 2-minute first-response target, the other half the usual one hour. The
treated half asked 18 % more questions, started a trial 30 % more often and
brought 15 % more revenue from new business; their loyalty score was 15 % higher.

The generator applies each lift as a multiplicative factor on the per-unit rate
or mean of the control group, so the realised ratios (treatment mean ÷ control
mean per unit, zeros included) converge to the constants below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from chatlift.demo.calendar import SECOND, START, WEEK
from chatlift.demo.columns import build, labels, timestamps

EXPERIMENT_KEY: Final = "realtime_support"
EXPERIMENT_START: Final = datetime(2025, 3, 3)  # UTC; recruitment runs for EXPERIMENT_WEEKS
EXPERIMENT_WEEKS: Final = 16  # seed 004: "16-недельный рандомизированный сплит-тест"
EXPERIMENT_VARIANTS: Final = ("control", "realtime")  # variant codes 0 and 1
TREATMENT_SHARE: Final = 0.5  # seed 004: "Половина новых регистраций"

CONTROL_FIRST_RESPONSE_SECONDS: Final = 3600.0  # seed 004: usual mean first response "1 час"
REALTIME_FIRST_RESPONSE_SECONDS: Final = 90.0  # seed 004: 2-minute target; mean 90 s keeps most under 2 min

QUESTIONS_LIFT: Final = 1.18  # seed 004: "задали на 18% больше вопросов" (conversations per unit)
TRIAL_LIFT: Final = 1.30  # seed 004: "на 30% чаще начинали пробный период" (share with trial_started)
REVENUE_LIFT: Final = 1.15  # seed 004: "15% приросту доходов" (order revenue per unit, 16 weeks)
LOYALTY_LIFT: Final = 1.15  # seed 004: "показатель лояльности был выше на 15%" (mean NPS score)

EXPERIMENT_WINDOW = EXPERIMENT_WEEKS * WEEK  # each unit is followed this long after assignment
RECRUIT_FROM = int((EXPERIMENT_START - START).total_seconds()) * SECOND
RECRUIT_UNTIL = RECRUIT_FROM + EXPERIMENT_WINDOW

NOT_IN_EXPERIMENT, CONTROL, REALTIME = -1, 0, 1


def assign(rng: np.random.Generator, signup_at: npt.NDArray[np.int64], eligible: npt.NDArray[np.bool_]) -> (
    npt.NDArray[np.int8]
):
    """Variant per person: new signups inside the recruitment window go 50/50, others -1."""
    recruited = eligible & (signup_at >= RECRUIT_FROM) & (signup_at < RECRUIT_UNTIL)
    variant = (rng.random(len(signup_at)) < TREATMENT_SHARE).astype(np.int8)
    return np.where(recruited, variant, np.int8(NOT_IN_EXPERIMENT)).astype(np.int8)


def lift(variant: npt.NDArray[np.int8], factor: float) -> npt.NDArray[np.float64]:
    """``factor`` for treated units, 1 for everyone else."""
    return np.where(variant == REALTIME, factor, 1.0)


def assignments_table(customer_id: pa.Array, variant: npt.NDArray[np.int8], signup_at: npt.NDArray[np.int64]) -> (
    pa.Table
):
    """One ``assignments`` row per recruited unit: unit = customer id, assigned at signup."""
    rows = np.flatnonzero(variant >= 0)
    n = len(rows)
    return build(
        "assignments",
        {
            "experiment": pa.array([EXPERIMENT_KEY] * n, type=pa.string()),
            "unit_id": customer_id.take(pa.array(rows, type=pa.int64())),
            "variant": labels(EXPERIMENT_VARIANTS, variant[rows]),
            "assigned_at": timestamps(signup_at[rows]),
        },
    )
