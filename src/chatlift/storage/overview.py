"""A headline overview of what a database holds, for the terminal.

These few figures are computed directly in SQL until the metric registry
exists; their definitions follow PRODUCT.md:

* person: ``coalesce(customer_id, visitor_id)``;
* chat conversion: share of ``chat`` conversations whose person places an order
  (purchase or quote) within 7 days after the conversation starts;
* resolution rate: resolved ÷ conversations with a final status (resolved,
  unresolved, missed);
* first response: seconds from ``started_at`` to ``first_response_at``, median,
  over conversations that got a human reply;
* CSAT: share of answers 4 or 5 on 1–5; NPS: % promoters (9–10) − % detractors (0–6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True, slots=True)
class ChannelLine:
    """Headline figures of one channel."""

    channel: str
    conversations: int
    share: float  # of all conversations
    resolution_rate: float | None
    median_first_response_s: float | None
    csat: float | None  # top-2-box share
    csat_n: int


@dataclass(frozen=True, slots=True)
class Headline:
    """Headline figures over the whole database."""

    first: datetime | None
    last: datetime | None
    channels: tuple[ChannelLine, ...]
    chat_conversion_rate: float | None
    chat_conversations: int
    nps: float | None
    nps_n: int
    orders: int  # purchases
    revenue: float  # sum of purchase amounts
    currencies: str  # the currencies those amounts are in, comma-separated ("EUR")


def headline(con: duckdb.DuckDBPyConnection) -> Headline:
    """Compute the headline over every row of the database."""
    span = con.execute("SELECT min(started_at), max(started_at) FROM conversations").fetchone()
    assert span is not None
    rows = con.execute(
        """
        WITH c AS (SELECT * FROM conversations),
        rated AS (
            SELECT c.channel, count(*) AS n, avg(CASE WHEN s.score >= 4 THEN 1.0 ELSE 0.0 END) AS top2
            FROM survey_responses s JOIN c USING (conversation_id)
            WHERE s.survey = 'csat' AND coalesce(s.scale, '1-5') = '1-5'
            GROUP BY c.channel
        )
        SELECT c.channel, count(*) AS n, count(*) / sum(count(*)) OVER () AS share,
            count(*) FILTER (status = 'resolved')
                / nullif(count(*) FILTER (status IN ('resolved', 'unresolved', 'missed')), 0) AS resolution,
            median(epoch(first_response_at) - epoch(started_at)) AS frt,
            any_value(rated.top2) AS csat, coalesce(any_value(rated.n), 0) AS csat_n
        FROM c LEFT JOIN rated USING (channel)
        GROUP BY c.channel ORDER BY n DESC
        """
    ).fetchall()
    channels = tuple(
        ChannelLine(
            channel=str(r[0]), conversations=int(r[1]), share=float(r[2]),
            resolution_rate=None if r[3] is None else float(r[3]),
            median_first_response_s=None if r[4] is None else float(r[4]),
            csat=None if r[5] is None else float(r[5]), csat_n=int(r[6]),
        )
        for r in rows
    )
    conv = con.execute(
        """
        WITH chats AS (
            SELECT conversation_id, coalesce(customer_id, visitor_id) AS person, started_at
            FROM conversations WHERE channel = 'chat'
        ),
        buys AS (
            SELECT coalesce(customer_id, visitor_id) AS person, ordered_at FROM orders
            WHERE kind IN ('purchase', 'quote') AND coalesce(customer_id, visitor_id) IS NOT NULL
        ),
        converted AS (
            SELECT DISTINCT c.conversation_id FROM chats c JOIN buys b ON b.person = c.person
            AND b.ordered_at >= c.started_at AND b.ordered_at < c.started_at + INTERVAL 7 DAY
        )
        SELECT count(*), (SELECT count(*) FROM converted) FROM chats
        """
    ).fetchone()
    assert conv is not None
    nps = con.execute(
        "SELECT count(*), 100.0 * avg(CASE WHEN score >= 9 THEN 1 WHEN score <= 6 THEN -1 ELSE 0 END) "
        "FROM survey_responses WHERE survey = 'nps' AND coalesce(scale, '0-10') = '0-10'"
    ).fetchone()
    assert nps is not None
    orders = con.execute(
        "SELECT count(*), coalesce(sum(amount), 0), coalesce(string_agg(DISTINCT currency, ', ' ORDER BY currency), '') "
        "FROM orders WHERE kind = 'purchase'"
    ).fetchone()
    assert orders is not None
    return Headline(
        first=span[0],
        last=span[1],
        channels=channels,
        chat_conversion_rate=(conv[1] / conv[0]) if conv[0] else None,
        chat_conversations=int(conv[0]),
        nps=None if not nps[0] else float(nps[1]),
        nps_n=int(nps[0]),
        orders=int(orders[0]),
        revenue=float(orders[1]),
        currencies=str(orders[2]),
    )
