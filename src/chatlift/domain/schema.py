"""The canonical data model, declared once.

Every table and column of PRODUCT.md lives here with its type, whether it is
required, its allowed values and the table's idempotency key. The DuckDB DDL
(`storage.ddl`), the import validation (`ingest.validation`), the Arrow schemas
used by the demo generator and `docs/data-model.md` are all derived from these
declarations; nothing else lists columns.

Conventions that hold for every table:

* timestamps are stored in UTC without an offset (``TIMESTAMP``); on import a
  value with an offset is converted to UTC, a value without one needs an
  explicit ``--timezone``;
* ids are non-empty strings (surrounding blanks are trimmed);
* values of closed sets (``status``, ``sender`` …) and channels are lower case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    """Logical column types; each maps to one DuckDB, Arrow and Spark type."""

    ID = "id"  # non-empty string, trimmed
    TEXT = "text"  # free text, may be empty
    TIMESTAMP = "timestamp"  # UTC instant, microsecond precision
    MONEY = "money"  # amount in the row's currency, float64
    NUMBER = "number"  # any real number, float64
    INTEGER = "integer"  # whole number, int64
    BOOLEAN = "boolean"  # true/false (also 1/0, yes/no on import)
    TEXT_LIST = "text_list"  # list of short strings (tags)


class Case(StrEnum):
    """How a text value is normalised on import."""

    KEEP = "keep"
    LOWER = "lower"
    UPPER = "upper"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    allowed: tuple[str, ...] = ()  # closed set of values after normalisation; empty = open
    case: Case = Case.KEEP
    pattern: str | None = None  # regular expression a non-null value must match in full
    pattern_hint: str | None = None  # what the pattern means, for error messages
    minimum: float | None = None  # inclusive lower bound for numeric columns
    default: str | None = None  # SQL literal used when the value is absent
    references: str | None = None  # "table.column" (or CUSTOMERS) it should match; kept if not


@dataclass(frozen=True, slots=True)
class NotBefore:
    """Row rule: ``column`` must not be earlier than ``other`` (both timestamps)."""

    column: str
    other: str
    strict: bool = False  # True: must be strictly later


@dataclass(frozen=True, slots=True)
class ScoreOnScale:
    """Row rule for survey answers: ``score`` must lie on the survey's scale.

    The scale is the row's ``scale`` column ("lo-hi", e.g. "1-10") when given,
    else the survey kind's default (csat 1-5, nps 0-10, ces 1-7).
    """

    default_scales: tuple[tuple[str, int, int], ...] = (
        ("csat", 1, 5),
        ("nps", 0, 10),
        ("ces", 1, 7),
    )


Rule = NotBefore | ScoreOnScale


@dataclass(frozen=True, slots=True)
class Table:
    """A canonical table: its columns, idempotency key and row rules."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # importing a row whose key exists replaces that row
    rules: tuple[Rule, ...] = ()
    time_column: str = ""  # the column that places a row in time
    key_note: str = ""  # why the key is what it is, when not obvious

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError when there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


# Shared column declarations: the person-matching ids appear in many tables.


# A customer is known once they appear in one of these columns; customer_id
# elsewhere that matches none of them is kept and counted as an unknown reference.
CUSTOMER_SOURCES: tuple[tuple[str, str], ...] = (
    ("conversations", "customer_id"),
    ("orders", "customer_id"),
    ("subscriptions", "customer_id"),
)
CUSTOMERS = "customers"  # the virtual table that CUSTOMER_SOURCES make up


def _customer_id(
    description: str = "The customer (a known, signed-up person).", *, checked: bool = False
) -> Column:
    return Column("customer_id", ColumnType.ID, description, references=CUSTOMERS if checked else None)


def _visitor_id(description: str = "The anonymous website/app visitor.") -> Column:
    return Column("visitor_id", ColumnType.ID, description)


_CURRENCY = Column(
    "currency",
    ColumnType.TEXT,
    "ISO 4217 currency code of the amount.",
    required=True,
    case=Case.UPPER,
    pattern=r"[A-Za-z]{3}",
    pattern_hint="a three-letter ISO 4217 code such as EUR or USD",
)

CONVERSATION_STATUSES = ("open", "resolved", "unresolved", "missed")
INITIATORS = ("customer", "agent", "bot")
SENDERS = ("customer", "agent", "bot", "system")
ORDER_KINDS = ("purchase", "quote")
CART_ACTIONS = ("add", "remove", "checkout")
SURVEY_KINDS = ("csat", "nps", "ces")

CONVERSATIONS = Table(
    name="conversations",
    description="One support conversation on any channel (chat, phone, e-mail, social, app).",
    time_column="started_at",
    key=("conversation_id",),
    columns=(
        Column("conversation_id", ColumnType.ID, "Unique id of the conversation.", required=True),
        Column(
            "channel",
            ColumnType.TEXT,
            "Channel, free text normalised to lower case; `chat` is live chat.",
            required=True,
            case=Case.LOWER,
        ),
        Column("started_at", ColumnType.TIMESTAMP, "When the conversation started.", required=True),
        _customer_id(),
        _visitor_id(),
        Column("agent_id", ColumnType.ID, "The human agent who handled it."),
        Column("team", ColumnType.TEXT, "Team or inbox that handled it."),
        Column(
            "status",
            ColumnType.TEXT,
            "Final or current state.",
            allowed=CONVERSATION_STATUSES,
            case=Case.LOWER,
        ),
        Column(
            "first_response_at",
            ColumnType.TIMESTAMP,
            "First human agent reply; derived from messages when absent.",
        ),
        Column("resolved_at", ColumnType.TIMESTAMP, "When it was resolved."),
        Column(
            "initiated_by",
            ColumnType.TEXT,
            "Who opened it; `agent` means a proactive invitation.",
            allowed=INITIATORS,
            case=Case.LOWER,
            default="'customer'",
        ),
        Column("cobrowse", ColumnType.BOOLEAN, "Whether co-browsing was used.", default="false"),
        Column("segment", ColumnType.TEXT, "Customer segment (e.g. consumer, smb, enterprise)."),
        Column("sector", ColumnType.TEXT, "Customer's sector of industry."),
        Column("tags", ColumnType.TEXT_LIST, "Labels; in CSV separated by `;`."),
    ),
    rules=(
        NotBefore("first_response_at", "started_at"),
        NotBefore("resolved_at", "started_at"),
    ),
)

MESSAGES = Table(
    name="messages",
    description="One message inside a conversation.",
    time_column="sent_at",
    key=("message_id",),
    columns=(
        Column("message_id", ColumnType.ID, "Unique id of the message.", required=True),
        Column(
            "conversation_id",
            ColumnType.ID,
            "The conversation it belongs to.",
            required=True,
            references="conversations.conversation_id",
        ),
        Column(
            "sender",
            ColumnType.TEXT,
            "Who wrote it; bot and system messages never count as a response.",
            required=True,
            allowed=SENDERS,
            case=Case.LOWER,
        ),
        Column("sent_at", ColumnType.TIMESTAMP, "When it was sent.", required=True),
        Column("text", ColumnType.TEXT, "Message body."),
    ),
)

ORDERS = Table(
    name="orders",
    description="A purchase or a quote request.",
    time_column="ordered_at",
    key=("order_id",),
    columns=(
        Column("order_id", ColumnType.ID, "Unique id of the order.", required=True),
        Column("ordered_at", ColumnType.TIMESTAMP, "When it was placed.", required=True),
        Column(
            "amount",
            ColumnType.MONEY,
            "Order value in `currency` (0 or more).",
            required=True,
            minimum=0.0,
        ),
        _CURRENCY,
        _customer_id(),
        _visitor_id(),
        Column(
            "kind",
            ColumnType.TEXT,
            "`purchase` or `quote` (a quote request).",
            allowed=ORDER_KINDS,
            case=Case.LOWER,
            default="'purchase'",
        ),
        Column("items", ColumnType.INTEGER, "Number of items.", minimum=0),
    ),
)

GOALS = Table(
    name="goals",
    description="Any other conversion: trial_started, signup, demo_booked …",
    time_column="at",
    key=("goal_id",),
    columns=(
        Column("goal_id", ColumnType.ID, "Unique id of the goal event.", required=True),
        Column(
            "name",
            ColumnType.TEXT,
            "Goal name, lower case (e.g. `trial_started`).",
            required=True,
            case=Case.LOWER,
        ),
        Column("at", ColumnType.TIMESTAMP, "When it was reached.", required=True),
        _customer_id(checked=True),
        _visitor_id(),
        Column("value", ColumnType.NUMBER, "Optional value of reaching the goal."),
    ),
)

CART_EVENTS = Table(
    name="cart_events",
    description="A change to a shopping cart.",
    time_column="at",
    key=("cart_id", "action", "at"),
    key_note=(
        "Cart events carry no id of their own: one cart's events are told apart by "
        "action and time, so two identical actions in the same microsecond count once."
    ),
    columns=(
        Column("cart_id", ColumnType.ID, "The cart.", required=True),
        Column("at", ColumnType.TIMESTAMP, "When it happened.", required=True),
        Column(
            "action",
            ColumnType.TEXT,
            "`add`, `remove` or `checkout`.",
            required=True,
            allowed=CART_ACTIONS,
            case=Case.LOWER,
        ),
        _customer_id(checked=True),
        _visitor_id(),
        Column("quantity", ColumnType.INTEGER, "Items added or removed.", minimum=0, default="1"),
    ),
)

VISITS = Table(
    name="visits",
    description="A website or app session.",
    time_column="started_at",
    key=("visit_id",),
    columns=(
        Column("visit_id", ColumnType.ID, "Unique id of the visit.", required=True),
        Column("visitor_id", ColumnType.ID, "The visitor.", required=True),
        Column("started_at", ColumnType.TIMESTAMP, "When the visit started.", required=True),
        _customer_id("The customer, when the visitor is known.", checked=True),
        Column("page", ColumnType.TEXT, "Landing page."),
        Column("source", ColumnType.TEXT, "Traffic source (e.g. search, ads, direct)."),
    ),
)

SURVEY_RESPONSES = Table(
    name="survey_responses",
    description="An answer to a CSAT, NPS or CES survey.",
    time_column="answered_at",
    key=("response_id",),
    columns=(
        Column("response_id", ColumnType.ID, "Unique id of the answer.", required=True),
        Column(
            "survey",
            ColumnType.TEXT,
            "`csat` (1-5), `nps` (0-10) or `ces` (1-7).",
            required=True,
            allowed=SURVEY_KINDS,
            case=Case.LOWER,
        ),
        Column("score", ColumnType.INTEGER, "The score given, on the survey's scale.", required=True),
        Column("answered_at", ColumnType.TIMESTAMP, "When it was answered.", required=True),
        Column(
            "conversation_id",
            ColumnType.ID,
            "The conversation rated, if any.",
            references="conversations.conversation_id",
        ),
        _customer_id(checked=True),
        Column("comment", ColumnType.TEXT, "Free-text comment, any language."),
        Column(
            "scale",
            ColumnType.TEXT,
            "Scale as `lo-hi` when not the survey's default (e.g. `1-10`).",
            pattern=r"\d+-\d+",
            pattern_hint="two whole numbers joined by a hyphen, such as 1-10",
        ),
    ),
    rules=(ScoreOnScale(),),
)

SUBSCRIPTIONS = Table(
    name="subscriptions",
    description="A subscription or free trial.",
    time_column="started_at",
    key=("subscription_id",),
    columns=(
        Column("subscription_id", ColumnType.ID, "Unique id of the subscription.", required=True),
        Column("customer_id", ColumnType.ID, "The subscriber.", required=True),
        Column("started_at", ColumnType.TIMESTAMP, "When it started.", required=True),
        Column("ended_at", ColumnType.TIMESTAMP, "When it ended (empty while active)."),
        Column("mrr", ColumnType.MONEY, "Monthly recurring revenue while paid.", minimum=0.0),
        Column("plan", ColumnType.TEXT, "Plan name."),
        Column("trial", ColumnType.BOOLEAN, "True for a free trial.", default="false"),
    ),
    rules=(NotBefore("ended_at", "started_at"),),
)

ASSIGNMENTS = Table(
    name="assignments",
    description="Exposure of a unit (visitor or customer) to an experiment variant.",
    time_column="assigned_at",
    key=("experiment", "unit_id"),
    key_note="A unit has one variant per experiment; re-assigning replaces the exposure.",
    columns=(
        Column("experiment", ColumnType.ID, "Experiment key.", required=True),
        Column("unit_id", ColumnType.ID, "Visitor or customer id.", required=True),
        Column("variant", ColumnType.ID, "Variant key.", required=True),
        Column("assigned_at", ColumnType.TIMESTAMP, "First exposure.", required=True),
    ),
)

COSTS = Table(
    name="costs",
    description="Support cost over a period (salaries, tools, outsourcing).",
    time_column="period_start",
    key=("period_start", "period_end", "channel", "kind"),
    key_note="One amount per period, channel and kind; an empty channel or kind is a key value too.",
    columns=(
        Column("period_start", ColumnType.TIMESTAMP, "Start of the period (inclusive).", required=True),
        Column("period_end", ColumnType.TIMESTAMP, "End of the period (exclusive).", required=True),
        Column("amount", ColumnType.MONEY, "Cost in `currency`.", required=True, minimum=0.0),
        _CURRENCY,
        Column("channel", ColumnType.TEXT, "Channel the cost belongs to, if any.", case=Case.LOWER),
        Column("kind", ColumnType.TEXT, "Cost kind (e.g. staff, software).", case=Case.LOWER),
    ),
    rules=(NotBefore("period_end", "period_start", strict=True),),
)

TABLES: tuple[Table, ...] = (
    CONVERSATIONS,
    MESSAGES,
    ORDERS,
    GOALS,
    CART_EVENTS,
    VISITS,
    SURVEY_RESPONSES,
    SUBSCRIPTIONS,
    ASSIGNMENTS,
    COSTS,
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The table declared as ``name`` (KeyError when unknown)."""
    return TABLES_BY_NAME[name]
