from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatlift.workspace import Workspace, connect

# A hand-made experiment "exp": customers, control a / treatment b, exposures counted from 1 to 31 January
# 2025, each unit measured 7 days after exposure, covariate over the 7 days before.
ROWS = """
INSERT INTO assignments VALUES
  ('exp', 'c1', 'a', '2025-01-05 00:00:00'),
  ('exp', 'c2', 'a', '2025-01-10 00:00:00'),
  ('exp', 'c3', 'b', '2025-01-06 00:00:00'),
  ('exp', 'c4', 'b', '2025-01-20 00:00:00'),
  ('exp', 'c5', 'b', '2025-02-05 00:00:00'),   -- after the end: left out
  ('exp', 'c6', 'z', '2025-01-07 00:00:00'),   -- undeclared variant: left out
  ('other', 'c1', 'b', '2025-01-05 00:00:00'); -- another experiment
INSERT INTO orders (order_id, ordered_at, amount, currency, customer_id, kind) VALUES
  ('o1', '2025-01-05 00:00:00', 10, 'EUR', 'c1', 'purchase'),  -- at the exposure instant: counts
  ('o2', '2025-01-12 00:00:00', 99, 'EUR', 'c1', 'purchase'),  -- exactly 7 days later: does not
  ('o3', '2025-01-01 00:00:00', 5, 'EUR', 'c1', 'purchase'),   -- 4 days before: covariate
  ('o4', '2025-01-11 00:00:00', 20, 'EUR', 'c2', 'quote'),     -- a quote: conversion yes, revenue no
  ('o5', '2025-01-07 00:00:00', 30, 'EUR', 'c3', 'purchase'),
  ('o6', '2025-01-08 00:00:00', 40, 'EUR', 'c3', 'purchase'),
  ('o7', '2025-01-08 00:00:00', 1000, 'EUR', 'c6', 'purchase');
INSERT INTO conversations (conversation_id, channel, started_at, customer_id) VALUES
  ('k1', 'chat', '2025-01-05 01:00:00', 'c1'),
  ('k2', 'chat', '2025-01-06 01:00:00', 'c1'),
  ('k3', 'email', '2025-01-06 02:00:00', 'c3'),
  ('k4', 'chat', '2025-01-15 00:00:00', 'c4'),                 -- 5 days before exposure: covariate
  ('k5', 'chat', '2025-01-21 00:00:00', NULL);                 -- c4's, known only through the survey's link
INSERT INTO messages (message_id, conversation_id, sender, sent_at) VALUES
  ('m1', 'k1', 'customer', '2025-01-05 01:00:00'),
  ('m2', 'k1', 'agent', '2025-01-05 01:01:00'),
  ('m3', 'k1', 'customer', '2025-01-05 01:02:00'),
  ('m4', 'k3', 'customer', '2025-01-06 02:00:00');
INSERT INTO goals (goal_id, name, "at", customer_id) VALUES
  ('g1', 'trial_started', '2025-01-07 00:00:00', 'c3'),
  ('g2', 'trial_started', '2025-01-18 00:00:00', 'c2'),        -- 8 days after exposure: too late
  ('g3', 'signup', '2025-01-10 00:00:00', 'c2');
INSERT INTO survey_responses (response_id, survey, score, answered_at, customer_id, conversation_id) VALUES
  ('s1', 'nps', 10, '2025-01-06 00:00:00', 'c1', NULL),         -- +100
  ('s2', 'nps', 3, '2025-01-07 00:00:00', 'c3', NULL),          -- -100
  ('s3', 'nps', 8, '2025-01-08 00:00:00', 'c3', NULL),          -- 0
  ('s4', 'csat', 5, '2025-01-08 00:00:00', 'c3', NULL),         -- not NPS
  ('s5', 'nps', 9, '2025-01-21 00:00:00', NULL, 'k1');          -- c1's conversation, but after c1's window
"""

EXP = {
    "variants": {"a": 0.5, "b": 0.5},
    "start": "2025-01-01T00:00:00",
    "end": "2025-02-01T00:00:00",
    "window_days": 7,
    "primary": ["revenue", "conversion"],
    "secondary": ["questions", "messages", "goal:trial_started", "nps"],
}


@pytest.fixture
def hand_db(tmp_path: Path) -> Iterator[Workspace]:
    ws = connect(tmp_path / "hand.duckdb", create=True)
    ws.store.con.execute(ROWS)
    yield ws
    ws.close()
