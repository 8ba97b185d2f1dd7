"""Published figures the demo data is calibrated to, with the article each comes from.

The seed articles live in ``shared/seeds`` (see its README); "seed 000" is
``000_46b26f006961e780.txt`` (Dutch, "Live-chat, wat vertellen de cijfers? 3/6").
Where a seed gives a range, the value used is named and the range is in the
comment. Figures marked *assumption* have no published source: they fill a gap
the seeds leave (a channel the article does not rate) and are chosen to sit
plausibly among the published ones.

These constants are what the CLI and the docs show as reference lines. Tests
must not import them as expected values: they restate the published figures
themselves, so that a change here cannot silently move the expectation too.
"""

from __future__ import annotations

from typing import Final

CHANNELS: Final = ("chat", "email", "phone", "social", "app")
"""Channels of the demo business, in the order used for channel codes (0 = chat)."""

SECTORS: Final = ("healthcare", "transport", "industrial", "education", "telecom", "recreation", "financial")
"""Sectors of business customers, as listed in seed 000 ("Klanttevredenheid per sector")."""

CHAT_CONVERSION_RATE: Final = 0.20
"""Share of chats followed by an order within 7 days; seed 001 example: 20 % of chats lead to a purchase."""

AVERAGE_ORDER_VALUE_EUR: Final = 100.0
"""Typical order value; seed 001 example: "klanten via de chat gemiddeld 100 euro"."""

CHAT_ORDER_VALUE_UPLIFT: Final = 1.12
"""Mean value of chat-attributed orders ÷ other orders; seed 000: "10 – 13% hoger" (midpoint 11.5 %)."""

CHATTER_VALUE_RATIO: Final = 4.5
"""Revenue per visitor who chatted ÷ per visitor who did not; seed 000 (source ICMI): "4,5 x meer waard"."""

CSAT_TOP2_BY_CHANNEL: Final = {
    "chat": 0.83,  # seed 000: 73–92 % by source, "80 – 85%" general; 0.83 is inside both ranges
    "phone": 0.44,  # seed 000, "Klanttevredenheid bij afhandeling probleem per kanaal"
    "email": 0.61,  # seed 000, same table
    "social": 0.48,  # seed 000, same table
    "app": 0.53,  # seed 000, same table ("Apps")
}
"""Share of CSAT answers 4–5 on 1–5, per channel."""

CSAT_TOP2_CHAT_BY_SECTOR: Final = {
    "healthcare": 0.93,  # seed 000 (source comm100), "Klanttevredenheid per sector"
    "transport": 0.93,
    "industrial": 0.90,
    "education": 0.90,
    "telecom": 0.81,
    "recreation": 0.81,
    "financial": 0.81,
}
"""Chat CSAT top-2-box per sector of the business customer."""

COBROWSE_CSAT_POINTS: Final = 0.06
"""Co-browsed chats score higher; seed 000 (source Forbes): "6 punten hoger", read as +6 percentage points."""

RESOLUTION_RATE_BY_CHANNEL: Final = {
    "chat": 0.84,  # seed 000: "Live-chat – 80 – 88%" (midpoint)
    "phone": 0.92,  # seed 000: "Telefoon – 92%"
    "email": 0.63,  # seed 000: "E-mail – 63%"
    "social": 0.75,  # assumption: between e-mail and chat
    "app": 0.82,  # assumption: in-app messaging behaves close to chat
}
"""Resolved ÷ conversations with a final status (resolved, unresolved, missed)."""

RESOLUTION_RATE_OVERALL: Final = 0.80
"""Seed 000: "80% van de problemen wordt opgelost en behoeft geen opvolging"."""

CHAT_FIRST_RESPONSE_SECONDS: Final = 42.0
"""Seed 000 (Zendesk, LiveChatInc): "42 seconden voor een gemiddelde vraag" (in staffed hours)."""

CHAT_RESOLUTION_SECONDS: Final = 690.0
"""Seed 000: "11 á 12 minuten voor een volledige klantcase" (11.5 min)."""

CES_EASY_BY_CHANNEL: Final = {
    "chat": 0.67,  # seed 000 (maru/matchbox): "67% zei dat het eenvoudig in gebruik is"
    "phone": 0.26,  # seed 000: "26% zei dat het eenvoudig in gebruik is"
    "social": 0.54,  # seed 000: "54% zei dat het eenvoudig in gebruik is"
    "email": 0.45,  # assumption: between phone and social
    "app": 0.60,  # assumption: close to chat
}
"""Share of CES answers 5–7 on 1–7 ("easy"), per channel."""

CHANNEL_MIX: Final = {"chat": 0.45, "email": 0.20, "phone": 0.13, "social": 0.08, "app": 0.14}
"""Approximate share of conversations per channel (assumption; live chat the largest channel, seed 000 part 2)."""
