"""When things happen: demand curves over the hours of the year, and sampling from them.

A demand curve is a relative intensity per grid hour: a local hour-of-day shape
× a weekday factor × a month factor × special days (Black Friday, Christmas) ×
a random factor per day (the seed's "world" stream, shared by all chunks, so a
busy day is busy for everyone). Event times are drawn from it by inverting its
running sum, restricted to each person's own active window.

The shapes are illustrative, typical of a European web shop and helpdesk; the
seeds publish no hourly figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from chatlift.demo.calendar import (
    CHAT_CLOSED_DAYS,
    HOUR,
    OFFICE_HOLIDAYS,
    YEAR_HOURS,
    Floats,
    HourGrid,
    Int64s,
    hour_grid,
    local_day_index,
)

# Relative volume per local hour 0..23.
HOURLY: dict[str, tuple[float, ...]] = {
    "web": (.25, .15, .1, .08, .08, .12, .3, .6, .9, 1, 1.05, 1.1, 1.15, 1.1, 1.05, 1.05, 1.1, 1.15, 1.3, 1.5,
            1.65, 1.6, 1.2, .6),
    "signup": (.1, .05, .04, .03, .03, .05, .2, .5, 1, 1.3, 1.4, 1.4, 1.3, 1.35, 1.4, 1.35, 1.2, 1, .9, .9,
               .85, .7, .4, .2),
    "chat": (.15, .08, .05, .04, .04, .06, .15, .45, .9, 1.3, 1.5, 1.5, 1.35, 1.35, 1.4, 1.35, 1.25, 1.1, 1,
             1.15, 1.25, 1.1, .7, .35),
    # Phone lines are open 09-17; the trickle outside is calls that reach the voicemail.
    "phone": (.02,) * 9 + (1.3, 1.5, 1.4, 1.2, 1.1, 1.2, 1.1, .9) + (.03,) * 7,
    "email": (.3, .2, .15, .12, .12, .18, .35, .7, 1.2, 1.4, 1.4, 1.3, 1.2, 1.25, 1.3, 1.25, 1.15, 1, .9, .9,
              .85, .75, .6, .45),
    "social": (.35, .2, .12, .08, .08, .1, .25, .5, .8, .95, 1, 1.05, 1.1, 1.05, 1, 1, 1.05, 1.15, 1.3, 1.5,
               1.6, 1.5, 1.1, .6),
    "app": (.3, .18, .1, .07, .07, .12, .35, .7, .95, 1, 1, 1.05, 1.1, 1.05, 1, 1, 1.05, 1.15, 1.25, 1.4, 1.5,
            1.4, 1, .55),
}
# Relative volume per local weekday, Monday first.
WEEKLY: dict[str, tuple[float, ...]] = {
    "web": (1, .98, .97, .97, .95, .9, 1.05),
    "signup": (1.15, 1.1, 1.05, 1, .95, .75, .85),
    "chat": (1.15, 1.1, 1.05, 1.05, 1, .75, .8),
    "phone": (1.3, 1.1, 1, 1, .9, .05, .03),
    "email": (1.2, 1.1, 1.05, 1.05, 1, .6, .6),
    "social": (1, 1, 1, 1, 1, 1, 1.05),
    "app": (1, 1, 1, 1, 1, .95, 1.05),
}
# Relative volume per month, January first: a summer dip and the December peak.
MONTHLY = (1, .92, .95, .95, .95, .92, .85, .85, .97, 1, 1.12, 1.25)
# Single days that stand out (local dates): Black Friday weekend, Cyber Monday, the holidays.
SPECIAL_DAYS: dict[date, float] = {
    date(2025, 11, 28): 2.4,
    date(2025, 11, 29): 1.5,
    date(2025, 11, 30): 1.3,
    date(2025, 12, 1): 1.7,
    date(2025, 12, 24): .6,
    date(2025, 12, 25): .4,
    date(2025, 12, 26): .5,
    date(2025, 12, 31): .55,
    date(2025, 1, 1): .5,
}
# The spring trial campaign: signups run 1.8× higher while the experiment recruits.
SIGNUP_CAMPAIGN = (date(2025, 3, 3), date(2025, 6, 23), 1.8)
DAY_NOISE_SIGMA = 0.12  # sd of the log of the random per-day factor


def shape(name: str, grid: HourGrid, day_noise: Floats | None = None) -> Floats:
    """Unnormalised intensity of ``name`` per grid hour (zero from END on)."""
    w = np.asarray(HOURLY[name])[grid.local_hour] * np.asarray(WEEKLY[name])[grid.weekday]
    w = w * np.asarray(MONTHLY)[grid.month]
    day = grid.local_day
    for special, factor in SPECIAL_DAYS.items():
        w = np.where(day == local_day_index(special), w * factor, w)
    if name == "phone":  # the office is closed: only voicemail calls
        w = np.where(grid.day_mask(OFFICE_HOLIDAYS), w * 0.05, w)
    if name == "chat":
        w = np.where(grid.day_mask(CHAT_CLOSED_DAYS), w * 0.5, w)
    if name == "signup":
        first, last, factor = SIGNUP_CAMPAIGN
        campaign = (day >= local_day_index(first)) & (day < local_day_index(last))
        w = np.where(campaign, w * factor, w)
    if day_noise is not None:
        w = w * day_noise[np.clip(day, 0, len(day_noise) - 1)]
    w = np.asarray(w, dtype=np.float64)
    w[YEAR_HOURS:] = 0.0
    return w


@dataclass(frozen=True, eq=False)
class Demand:
    """A demand curve normalised to mean 1 per hour of the year, with its running sum."""

    name: str
    weight: Floats  # per grid hour
    cumulative: Floats  # length GRID_HOURS + 1; cumulative[h] = weight of the hours before h

    @classmethod
    def build(cls, name: str, day_noise: Floats | None = None) -> Demand:
        w = shape(name, hour_grid(), day_noise)
        w = w * (YEAR_HOURS / w.sum())
        return cls(name, w, np.concatenate([[0.0], np.cumsum(w)]))

    def mass_until(self, t: Int64s) -> Floats:
        """Intensity accumulated from START to each instant ``t``."""
        h = np.clip(t // HOUR, 0, len(self.weight) - 1)
        return self.cumulative[h] + self.weight[h] * ((t - h * HOUR) / HOUR)

    def sample(self, rng: np.random.Generator, lo: Int64s, hi: Int64s) -> Int64s:
        """One instant per row, drawn with this intensity inside ``[lo, hi)``.

        A window that holds no intensity at all falls back to a uniform draw.
        """
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.maximum(np.asarray(hi, dtype=np.int64), lo + 1)
        f_lo, f_hi = self.mass_until(lo), self.mass_until(hi)
        u = rng.random(len(lo))
        target = f_lo + u * (f_hi - f_lo)
        h = np.clip(np.searchsorted(self.cumulative[1:], target, side="right"), 0, len(self.weight) - 1)
        w = self.weight[h]
        frac = np.where(w > 0, (target - self.cumulative[h]) / np.where(w > 0, w, 1.0), 0.0)
        t = h * HOUR + (np.clip(frac, 0.0, 1.0) * HOUR).astype(np.int64)
        uniform = lo + (u * (hi - lo)).astype(np.int64)
        t = np.where(f_hi - f_lo > 1e-9, t, uniform)
        return np.clip(t, lo, hi - 1)

    def share(self, hours: np.ndarray) -> float:
        """Share of this demand that falls in the grid hours where ``hours`` is true."""
        return float(self.weight[hours].sum() / self.weight.sum())


def day_noise(rng: np.random.Generator, days: int) -> Floats:
    """Random factor per day, log-normal with mean 1."""
    return np.exp(rng.normal(-DAY_NOISE_SIGMA**2 / 2, DAY_NOISE_SIGMA, size=days))
