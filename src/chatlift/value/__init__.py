"""What support is worth: churn and retention, customer lifetime value, ROI (issue 6).

* `churn` — `churn` → `ChurnResult`: customer churn per period (subscriptions,
  or inactivity for shops), MRR revenue churn, gross and net revenue retention;
* `cohorts` — `retention_cohorts` → `CohortResult`: monthly cohorts as a table;
* `rfm` — `rfm_table`: recency, frequency, T and monetary value in the database;
* `bgnbd`, `gammagamma` — the two models, fitted by maximum likelihood (numpy/scipy);
* `clv` — `clv` → `ClvResult`: historical and predicted value per group;
* `roi` — `roi` → `RoiResult`: cost against chat-attributed (correlational) and
  experimental (causal) revenue.

Every figure is split by ``chatted`` and ``csat_band`` (`segments`).
`chatlift.Workspace` wraps these as ``churn()``, ``retention_cohorts()``, ``clv()`` and ``roi()``.
"""

from __future__ import annotations

from chatlift.value.bgnbd import BgNbdFit
from chatlift.value.churn import ChurnBasis, Every, churn, periods
from chatlift.value.clv import clv
from chatlift.value.cohorts import retention_cohorts
from chatlift.value.gammagamma import GammaGammaFit
from chatlift.value.results import (
    BgNbdParameters,
    ChurnGroup,
    ChurnPeriod,
    ChurnResult,
    ClvGroup,
    ClvResult,
    CohortResult,
    CohortRow,
    Estimate,
    GammaGammaParameters,
    HoldoutBucket,
    HoldoutCheck,
    RoiResult,
    RoiValue,
    ValueWarning,
)
from chatlift.value.rfm import TimeUnit, rfm_table
from chatlift.value.roi import StaffCost, roi

__all__ = [
    "BgNbdFit",
    "BgNbdParameters",
    "ChurnBasis",
    "ChurnGroup",
    "ChurnPeriod",
    "ChurnResult",
    "ClvGroup",
    "ClvResult",
    "CohortResult",
    "CohortRow",
    "Estimate",
    "Every",
    "GammaGammaFit",
    "GammaGammaParameters",
    "HoldoutBucket",
    "HoldoutCheck",
    "RoiResult",
    "RoiValue",
    "StaffCost",
    "TimeUnit",
    "ValueWarning",
    "churn",
    "clv",
    "periods",
    "retention_cohorts",
    "rfm_table",
    "roi",
]
