"""Who a customer is at an instant: chatter or not, and their CSAT band (Ibis, any engine).

* ``chatted`` — "yes" when the person started a conversation on ``channel``
  (``None``: any channel) strictly before the instant, else "no";
* ``csat_band`` — from the person's latest CSAT answer (default 1–5 scale)
  answered strictly before the instant: ``detractor`` (score < 3, i.e. 1–2),
  ``neutral`` (3 ≤ score < 4), ``satisfied`` (4–5), or ``none`` without an
  answer. An answer belongs to its ``customer_id``, else to the person of its
  conversation. Ties at the same instant go to the larger ``response_id``.

The instant is a column of the people table (``as_of``), so that each row can
have its own (the end of a churn period, of a cohort's first month …).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from chatlift.metrics.scope import person

SPLITS = ("chatted", "csat_band")
CSAT_BANDS = ("detractor", "neutral", "satisfied", "none")


def with_segments(con: Any, people: ir.Table, *, as_of: str, channel: str | None,
                  segment: bool = False) -> ir.Table:
    """``people`` (columns ``person`` and the timestamp ``as_of``) plus ``chatted`` and ``csat_band``; with
    ``segment`` also ``segment``: the segment of the person's latest conversation before ``as_of`` that has
    one ("none" otherwise)."""
    keys = people.select(__p=people.person, __at=people[as_of]).distinct()
    c = con.table("conversations")
    c = c.mutate(__person=person(c)).filter(lambda t: t.__person.notnull())
    chats = c if channel is None else c.filter(c.channel == channel.lower())
    first_chat = chats.group_by(__cp="__person").aggregate(__first=chats.started_at.min())
    flags = keys.left_join(first_chat, keys.__p == first_chat.__cp)
    flags = flags.select("__p", "__at", __chatted=ibis.ifelse(flags.__first.notnull() & (flags.__first < flags.__at),
                                                              "yes", "no"))

    s = con.table("survey_responses")
    s = s.filter((s.survey == "csat") & (s.scale.isnull() | (s.scale == "1-5")))
    owners = c.select(__conv=c.conversation_id, __owner=c.__person)
    s = s.left_join(owners, s.conversation_id == owners.__conv)
    s = s.select("response_id", "score", "answered_at", __sp=s.customer_id.coalesce(s.__owner))
    answered = keys.join(s, [keys.__p == s.__sp, s.answered_at < keys.__at])
    latest = ibis.window(group_by=["__p", "__at"], order_by=[ibis.desc("answered_at"), ibis.desc("response_id")])
    answered = answered.mutate(__rank=ibis.row_number().over(latest))
    last = answered.filter(answered.__rank == 0)
    band = ibis.cases((last.score < 3, "detractor"), (last.score < 4, "neutral"), else_="satisfied")
    last = last.select(__bp=last.__p, __bat=last.__at, __band=band)
    flags = flags.left_join(last, [flags.__p == last.__bp, flags.__at == last.__bat])
    flags = flags.select("__p", "__at", "__chatted", __csat=flags.__band.fill_null("none"))

    if segment:
        tagged = c.filter(c.segment.notnull())
        seen = keys.join(tagged, [keys.__p == tagged.__person, tagged.started_at < keys.__at])
        newest = ibis.window(group_by=["__p", "__at"],
                             order_by=[ibis.desc("started_at"), ibis.desc("conversation_id")])
        seen = seen.mutate(__rank=ibis.row_number().over(newest))
        seen = seen.filter(seen.__rank == 0).select(__gp="__p", __gat="__at", __segment="segment")
        flags = flags.left_join(seen, [flags.__p == seen.__gp, flags.__at == seen.__gat])
        flags = flags.select("__p", "__at", "__chatted", "__csat", __seg=flags.__segment.fill_null("none"))

    joined = people.join(flags, [people.person == flags.__p, people[as_of] == flags.__at])
    joined = joined.mutate(chatted=joined.__chatted, csat_band=joined.__csat)
    if segment:
        joined = joined.mutate(segment=joined.__seg)
    return joined.drop(*(name for name in joined.columns if name.startswith("__")))


def by_splits(table: ir.Table, splits: tuple[str, ...], keys: tuple[str, ...] = (),
              **aggregates: ir.Scalar) -> ir.Table:
    """``aggregates`` over all rows and over each value of each split column, as one table with columns
    ``split``, ``group``, ``keys`` … and the aggregates (``split`` = ``group`` = "all" for the whole)."""
    parts = [table.group_by(list(keys)).aggregate(**aggregates).mutate(split=ibis.literal("all"),
                                                                        group=ibis.literal("all"))
             if keys else table.aggregate(**aggregates).mutate(split=ibis.literal("all"), group=ibis.literal("all"))]
    for split in splits:
        parts.append(table.group_by([split, *keys]).aggregate(**aggregates)
                     .mutate(split=ibis.literal(split)).rename(group=split))
    order = ["split", "group", *keys, *aggregates]
    first, *rest = (p.select(*order) for p in parts)
    return first.union(*rest) if rest else first
