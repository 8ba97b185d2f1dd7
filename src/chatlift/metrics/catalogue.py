"""The metric catalogue of PRODUCT.md, declared once: every metric in catalogue order."""

from __future__ import annotations

from chatlift.errors import UnknownMetricError, close_matches
from chatlift.metrics import experience, sales, service, value
from chatlift.metrics.definitions import Metric

METRICS: tuple[Metric, ...] = tuple(
    sorted((*sales.METRICS, *experience.METRICS, *value.METRICS, *service.METRICS), key=lambda m: m.number)
)

REGISTRY: dict[str, Metric] = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    try:
        return REGISTRY[key]
    except KeyError:
        raise UnknownMetricError(f"unknown metric {key!r}",
                                 hint=close_matches(key, REGISTRY) or "`chatlift metrics` lists them") from None
