"""Support costs per calendar month: staff hours, seats and the chat bot.

Staff cost is the agent hours the staffing plan puts on shift × an hourly rate
(salary with overhead); every agent of a team also holds a helpdesk seat; live
chat pays for its bot platform. Months are UTC calendar months.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import HOUR, START, YEAR_HOURS
from chatlift.demo.columns import build, labels, timestamps
from chatlift.demo.staffing import CHANNEL_TEAM, TEAMS
from chatlift.demo.targets import CHANNELS
from chatlift.demo.world import World

HOURLY_RATE_EUR = {"chat": 31.0, "email": 29.0, "phone": 31.0, "social": 29.0, "app": 29.0}
SEAT_EUR_PER_MONTH = 59.0
BOT_EUR_PER_MONTH = 850.0
KINDS = ("staff", "software", "bot")
CHAT_TEAMS = tuple(i for i, t in enumerate(TEAMS) if t not in CHANNEL_TEAM)  # chat-nl, chat-intl, onboarding, realtime


def _month_starts() -> list[int]:
    """Hours since START at which each month of 2025 begins, and 2026-01-01."""
    return [int((datetime(2025 + m // 12, m % 12 + 1, 1) - START).total_seconds() // 3600) for m in range(13)]


def costs_table(world: World) -> pa.Table:
    bounds = _month_starts()
    rows: list[tuple[int, int, int, float]] = []  # month, channel, kind, amount
    for c, channel in enumerate(CHANNELS):
        hours = world.staffing[c].on_shift[:YEAR_HOURS]
        team_ids = CHAT_TEAMS if channel == "chat" else (CHANNEL_TEAM[channel],)
        seats = int(sum(int(world.teams.size[t]) for t in team_ids))
        for m in range(12):
            staff = float(hours[bounds[m]:bounds[m + 1]].sum()) * HOURLY_RATE_EUR[channel]
            rows.append((m, c, 0, round(staff, 2)))
            rows.append((m, c, 1, round(seats * SEAT_EUR_PER_MONTH, 2)))
            if channel == "chat":
                rows.append((m, c, 2, BOT_EUR_PER_MONTH))
    month = np.asarray([r[0] for r in rows], dtype=np.int64)
    starts = np.asarray(bounds, dtype=np.int64) * HOUR
    return build(
        "costs",
        {
            "period_start": timestamps(starts[month]),
            "period_end": timestamps(starts[month + 1]),
            "amount": pa.array([r[3] for r in rows], type=pa.float64()),
            "currency": pa.array(["EUR"] * len(rows), type=pa.string()),
            "channel": labels(CHANNELS, np.asarray([r[1] for r in rows])),
            "kind": labels(KINDS, np.asarray([r[2] for r in rows])),
        },
    )
