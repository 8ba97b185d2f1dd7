"""The metric engine: the catalogue declared once as Ibis expressions, computed with intervals."""

from chatlift.metrics.catalogue import METRICS, REGISTRY, metric
from chatlift.metrics.definitions import Metric
from chatlift.metrics.report import report
from chatlift.metrics.scope import Filters, Period

__all__ = ["METRICS", "REGISTRY", "Filters", "Metric", "Period", "metric", "report"]
