"""Customer lifetime value: historical, and predicted with BG/NBD + Gamma-Gamma.

The database returns sufficient statistics only: customers per distinct
(x, t_x, T) to fit BG/NBD, repeat buyers per distinct (x, m) to fit
Gamma-Gamma, and per split, group and (x, t_x, T): customers, Σm, Σ historical
value and Σ holdout purchases. Predictions depend on a customer only through
(x, t_x, T) and — linearly — m, so group sums are exact: the expected spend
of n customers sharing (x, t_x, T) is p(γn + xΣm)/(px + q − 1).

Predicted value over a horizon = expected purchases × expected spend per
purchase. With a ``discount_rate`` (per year), the horizon is cut into months
(365.25/12 days): the purchases expected in month k are discounted by
(1 + rate)^(−k/12), the last part month by its end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import ibis
import numpy as np

from chatlift.errors import ParameterError
from chatlift.value import bgnbd, gammagamma
from chatlift.value.results import (
    BgNbdParameters,
    ClvGroup,
    ClvResult,
    GammaGammaParameters,
    HoldoutBucket,
    HoldoutCheck,
    ValueWarning,
)
from chatlift.value.rfm import TimeUnit, rfm_table
from chatlift.value.segments import SPLITS, by_splits, with_segments

Array = bgnbd.Array
CLV_SPLITS = (*SPLITS, "segment")
TOP_FREQUENCY = 7  # holdout buckets 0 … 6 and 7+, as in FHL (2005), figure 4
DAYS_PER_MONTH = 365.25 / 12


def discounted_purchases(fit: bgnbd.BgNbdFit, horizon: float, x: Array, t_x: Array, T: Array, *,
                         unit_days: float, discount_rate: float) -> Array:
    """Expected purchases in (T, T + horizon], each month's discounted at ``discount_rate`` per year.

    Without discounting this is `bgnbd.expected_purchases`:

    >>> f = bgnbd.BgNbdFit(0.243, 4.414, 0.793, 2.426, 0.0, 1, 1, 0)
    >>> one = np.array([1.0]), np.array([5.0]), np.array([30.0])
    >>> bool(discounted_purchases(f, 52, *one, unit_days=7, discount_rate=0.1)[0]
    ...      < discounted_purchases(f, 52, *one, unit_days=7, discount_rate=0.0)[0])
    True
    """
    if discount_rate == 0.0:
        return bgnbd.expected_purchases(fit, horizon, x, t_x, T)
    step = DAYS_PER_MONTH / unit_days
    ends = [*np.arange(step, horizon, step).tolist(), horizon]
    total = np.zeros_like(np.asarray(x, dtype=float))
    before = np.zeros_like(total)
    for end in ends:
        cumulative = bgnbd.expected_purchases(fit, float(end), x, t_x, T)
        years = end * unit_days / 365.25
        total += (cumulative - before) * (1 + discount_rate) ** (-years)
        before = cumulative
    return total


def _bgnbd_params(fit: bgnbd.BgNbdFit) -> BgNbdParameters:
    return BgNbdParameters(r=fit.r, alpha=fit.alpha, a=fit.a, b=fit.b, log_likelihood=fit.log_likelihood,
                           customers=round(fit.customers), repeat_buyers=round(fit.repeat_buyers))


def _columns(rows: list[dict[str, Any]], *names: str) -> list[Array]:
    return [np.array([float(r[n] or 0.0) for r in rows], dtype=float) for n in names]


def fit_gamma_gamma(rows: list[dict[str, Any]], warnings: list[ValueWarning]) -> gammagamma.GammaGammaFit | None:
    """Gamma-Gamma from (frequency, monetary, n) rows; None (with a warning) when it cannot be fitted."""
    x, m, n = _columns(rows, "frequency", "monetary", "n")
    try:
        fit = gammagamma.fit(x, m, n)
    except ParameterError as exc:
        warnings.append(ValueWarning(code="spend_not_fitted", message=f"{exc.message}; predicted value is "
                                                                      "left empty."))
        return None
    if fit.q <= 1:
        warnings.append(ValueWarning(code="spend_mean_undefined", message="Gamma-Gamma q ≤ 1: the population "
                                     "mean spend is infinite; predicted value is left empty."))
        return None
    if len(x) > 2 and float(np.ptp(x)) > 0:
        mean_x, mean_m = np.average(x, weights=n), np.average(m, weights=n)
        cov = np.average((x - mean_x) * (m - mean_m), weights=n)
        corr = cov / math.sqrt(np.average((x - mean_x) ** 2, weights=n) * np.average((m - mean_m) ** 2, weights=n))
        if abs(corr) > 0.3:
            warnings.append(ValueWarning(code="spend_depends_on_frequency",
                                         message=f"Purchase frequency and spend are correlated (r = {corr:.2f}); "
                                                 "Gamma-Gamma assumes they are independent."))
    return fit


def clv(con: Any, calibration_end: date, *, unit: TimeUnit | str = TimeUnit.WEEK, horizon: float = 52.0,
        first_from: date | None = None, holdout_end: date | None = None, discount_rate: float = 0.0,
        kinds: Sequence[str] = ("purchase",), channel: str | None = "chat") -> ClvResult:
    """Fit BG/NBD and Gamma-Gamma on purchases before ``calibration_end`` and predict over ``horizon``.

    Args:
        con: an Ibis backend holding the canonical tables.
        calibration_end: first day after the calibration period (UTC dates).
        unit: ``week`` (default) or ``day``: the unit of recency, T, alpha and ``horizon``.
        horizon: how far ahead to predict, in ``unit`` (default 52 weeks).
        first_from: only customers whose first purchase is on or after this day.
        holdout_end: compare predictions with the purchases in ``[calibration_end, holdout_end)``.
        discount_rate: yearly rate for the predicted value (default 0: undiscounted).
        kinds: order kinds that are purchases (default purchase).
        channel: the channel that makes a customer a chatter (default chat; None: any).

    Returns:
        A `ClvResult` with the parameters and, per group (all, chatted, csat_band, segment), historical and
        predicted value.

    Raises:
        ParameterError: BG/NBD cannot be fitted (too few customers or repeat buyers, no variation, no
            convergence), or invalid arguments.
    """
    try:
        time_unit = TimeUnit(unit)
    except ValueError:
        raise ParameterError(f"unknown time unit {unit!r}", hint="use week or day") from None
    if horizon <= 0:
        raise ParameterError(f"horizon must be positive, not {horizon}")
    if discount_rate < 0:
        raise ParameterError(f"discount_rate must not be negative, not {discount_rate}")
    if holdout_end is not None and holdout_end <= calibration_end:
        raise ParameterError(f"holdout_end ({holdout_end}) must be after calibration_end ({calibration_end})")
    rfm = rfm_table(con, calibration_end, unit=time_unit, first_from=first_from, holdout_end=holdout_end,
                    kinds=kinds)
    warnings: list[ValueWarning] = []

    # in a fixed order, so that the fit's sums (and so its result) repeat exactly run after run
    fit_rows = rfm.group_by("frequency", "recency", "T").aggregate(n=rfm.count()) \
        .order_by(["frequency", "recency", "T"]).to_pyarrow().to_pylist()
    x, t_x, T, n = _columns(fit_rows, "frequency", "recency", "T", "n")
    fit = bgnbd.fit(x, t_x, T, n)
    repeaters = rfm.filter(rfm.frequency > 0)
    gg_rows = repeaters.group_by("frequency", "monetary").aggregate(n=repeaters.count()) \
        .order_by(["frequency", "monetary"]).to_pyarrow().to_pylist()
    spend = fit_gamma_gamma(gg_rows, warnings)

    people = rfm.mutate(as_of=ibis.literal(datetime.combine(calibration_end, time(0))))
    people = with_segments(con, people, as_of="as_of", channel=channel, segment=True)
    stats = by_splits(people, CLV_SPLITS, keys=("frequency", "recency", "T"), customers=people.count(),
                      sum_m=people.monetary.fill_null(0.0).sum(), sum_hist=people.historical_value.sum(),
                      sum_holdout=people.holdout_frequency.sum()).to_pyarrow().to_pylist()

    gx, gt, gT, gn, gm, gh, gy = _columns(stats, "frequency", "recency", "T", "customers", "sum_m", "sum_hist",
                                          "sum_holdout")
    purchases = bgnbd.expected_purchases(fit, horizon, gx, gt, gT) * gn
    discounted = discounted_purchases(fit, horizon, gx, gt, gT, unit_days=time_unit.days,
                                      discount_rate=discount_rate)
    alive = bgnbd.probability_alive(fit, gx, gt, gT) * gn
    order_value = (spend.p * (spend.gamma * gn + gx * gm) / (spend.p * gx + spend.q - 1)) if spend else None

    groups: list[ClvGroup] = []
    keys = list(dict.fromkeys((r["split"], r["group"]) for r in stats))
    order = {"all": 0, "chatted": 1, "csat_band": 2, "segment": 3}
    for split, group in sorted(keys, key=lambda k: (order[k[0]], k[1])):
        sel = np.array([r["split"] == split and r["group"] == group for r in stats])
        customers = float(gn[sel].sum())
        # per-customer discounted purchases × the group's summed expected spend = the group's value
        value_total = float((discounted[sel] * order_value[sel]).sum()) if order_value is not None else None
        groups.append(ClvGroup(
            split=split, group=group, customers=round(customers),
            historical_value=float(gh[sel].sum()) / customers,
            repeat_buyers=round(float(gn[sel & (gx > 0)].sum())),
            predicted_purchases=float(purchases[sel].sum()) / customers,
            probability_alive=float(alive[sel].sum()) / customers,
            expected_order_value=float(order_value[sel].sum()) / customers if order_value is not None else None,
            predicted_value=value_total / customers if value_total is not None else None,
            predicted_value_total=value_total,
            holdout_purchases=round(float(gy[sel].sum())) if holdout_end else None,
        ))

    holdout = None
    if holdout_end is not None:
        length = (holdout_end - calibration_end).days / time_unit.days
        every = np.array([r["split"] == "all" for r in stats])
        predicted = bgnbd.expected_purchases(fit, length, gx, gt, gT) * gn
        buckets = []
        for k in range(TOP_FREQUENCY + 1):
            sel = every & ((gx == k) if k < TOP_FREQUENCY else (gx >= k))
            count = float(gn[sel].sum())
            buckets.append(HoldoutBucket(
                frequency=str(k) if k < TOP_FREQUENCY else f"{k}+", customers=round(count),
                predicted=float(predicted[sel].sum()) / count if count else 0.0,
                actual=float(gy[sel].sum()) / count if count else 0.0))
        holdout = HoldoutCheck(holdout_end=holdout_end, length=length,
                               predicted_total=float(predicted[every].sum()),
                               actual_total=round(float(gy[every].sum())), by_frequency=buckets)

    gg = None if spend is None else GammaGammaParameters(
        p=spend.p, q=spend.q, gamma=spend.gamma, log_likelihood=spend.log_likelihood,
        customers=round(spend.customers), population_mean=spend.population_mean)
    return ClvResult(calibration_end=calibration_end, unit=time_unit.value, horizon=horizon,
                     discount_rate=discount_rate, kinds=list(kinds), channel=channel, bgnbd=_bgnbd_params(fit),
                     gamma_gamma=gg, groups=groups, holdout=holdout, warnings=warnings)
