"""Plain-language verdicts that never claim more than the statistics allow.

Rules:

* a sample-ratio mismatch blocks every verdict;
* a comparison is called better or worse only when its p-value, after the
  experiment's multiple-testing correction, is below alpha; otherwise the
  sentence says the data cannot tell the variants apart (never "no effect");
* a variant "wins" only when at least one primary metric is significantly
  better and none is significantly worse;
* without sequential testing a note warns that the fixed-horizon numbers are
  valid for one look at the planned end, not for daily peeking.
"""

from __future__ import annotations

from datetime import datetime

from chatlift.experiments.results import Comparison
from chatlift.experiments.spec import ExperimentSpec
from chatlift.stats.corrections import Correction


def percent(value: float | None, *, signed: bool = True) -> str:
    """A fraction as a percentage for text: 0.182 → ``+18.2 %``.

    >>> percent(0.182), percent(-0.05), percent(None)
    ('+18.2 %', '-5.0 %', 'n/a')
    """
    if value is None:
        return "n/a"
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.4g}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


_CORRECTION_NAME = {Correction.HOLM: "Holm", Correction.BH: "Benjamini–Hochberg", Correction.NONE: "no"}


def _lift_text(c: Comparison, level: str) -> str:
    if c.relative.lift is not None:
        return (f"{percent(c.relative.lift)} ({level} interval {percent(c.relative.lower)} to "
                f"{percent(c.relative.upper)})")
    return (f"{_number(c.absolute.lift)} ({level} interval {_number(c.absolute.lower)} to "
            f"{_number(c.absolute.upper)})")


def comparison_verdict(c: Comparison, *, spec: ExperimentSpec, srm_mismatch: bool, family: int) -> str:
    """One sentence (or two) on ``c`` following the module's rules."""
    level = f"{(1 - spec.alpha) * 100:g} %"
    if srm_mismatch:
        return (f"No verdict on {c.metric}: the split of units does not match the planned weights "
                "(sample ratio mismatch), so any difference may come from the assignment, not the variant.")
    if c.p_value is None or c.p_value_adjusted is None:
        reason = c.warnings[0].message if c.warnings else "the data cannot give an interval"
        return f"No verdict on {c.metric}: {reason}"
    how = _CORRECTION_NAME[spec.correction]
    corrected = (f"adjusted p = {_p(c.p_value_adjusted)}, {how} correction over {family} comparisons"
                 if spec.correction is not Correction.NONE and family > 1 else f"p = {_p(c.p_value_adjusted)}")
    if c.significant:
        direction = "raised" if (c.relative.lift or c.absolute.lift or 0) > 0 else "lowered"
        judgement = "better" if c.better else "worse"
        text = (f"{c.variant} {direction} {c.metric} by {_lift_text(c, level)} compared with {c.control}: "
                f"significantly {judgement} ({corrected}).")
    else:
        text = (f"No significant difference in {c.metric} between {c.variant} and {c.control}: "
                f"{_lift_text(c, level)}; the data cannot tell them apart yet ({corrected}).")
        if c.p_value < spec.alpha:
            text += f" It would pass on its own (p = {_p(c.p_value)}), but not after correcting for {family} tests."
    if c.chance_to_win is not None:
        text += f" Chance that {c.variant} is better: {percent(c.chance_to_win, signed=False)}."
    return text


def experiment_verdict(results: list[Comparison], *, spec: ExperimentSpec, srm_mismatch: bool) -> str:
    """The experiment's overall verdict from its primary metrics."""
    if srm_mismatch:
        return ("No verdict: sample ratio mismatch. The units per variant do not match the planned weights; "
                "fix the assignment or exposure logging before reading any result.")
    primary = [c for c in results if c.primary]
    if all(c.p_value is None for c in primary):
        return "No verdict: there is not enough data to test any primary metric yet."
    parts: list[str] = []
    for variant in [v.key for v in spec.variants[1:]]:
        mine = [c for c in primary if c.variant == variant]
        better = [c.metric for c in mine if c.significant and c.better]
        worse = [c.metric for c in mine if c.significant and not c.better]
        if better and not worse:
            parts.append(f"{variant} wins against {spec.control}: significantly better on {', '.join(better)} "
                         "and not significantly worse on any primary metric.")
        elif worse and not better:
            parts.append(f"{variant} loses against {spec.control}: significantly worse on {', '.join(worse)}.")
        elif better and worse:
            parts.append(f"{variant} is mixed: significantly better on {', '.join(better)} but worse on "
                         f"{', '.join(worse)}; weigh the trade-off before deciding.")
        else:
            parts.append(f"No winner yet for {variant}: no primary metric differs significantly from "
                         f"{spec.control} after correction.")
    return " ".join(parts)


def notes(spec: ExperimentSpec, *, as_of: datetime | None) -> list[str]:
    """Caveats that always apply to how this experiment is read."""
    out: list[str] = []
    if spec.sequential:
        out.append("Sequential testing is on: the intervals stay valid however often you look, at the price "
                   "of being wider than a single fixed-horizon look.")
    else:
        out.append("Fixed-horizon test: its intervals and p-values are valid for one look at the planned end. "
                   "Looking every day and stopping at the first significant result inflates false positives "
                   "well above alpha; set sequential = true to peek safely.")
    if spec.covariate_days is not None:
        out.append(f"CUPED: mean and proportion metrics are adjusted with the same metric over "
                   f"{spec.covariate_days:g} days before each unit's exposure.")
    if spec.winsorize is not None:
        out.append(f"Numeric metrics are capped at their {spec.winsorize * 100:g}th percentile over all units.")
    out.append(f"Each unit is measured for {spec.window_days:g} days after its first exposure"
               + (f", with data up to {as_of.isoformat()}." if as_of else "; units exposed recently have not "
                  "completed their window yet."))
    return out
