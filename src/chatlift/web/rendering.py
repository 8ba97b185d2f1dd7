"""Templates (jinja2, in ``templates/``) and what every page's template can use."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from chatlift import __version__
from chatlift.units import duration

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")

PAGES = (
    ("overview", "/", "Overview"),
    ("sales", "/sales", "Sales impact"),
    ("service", "/service", "Service"),
    ("channels", "/channels", "Channels"),
    ("agents", "/agents", "Agents & teams"),
    ("experience", "/experience", "Customer experience"),
    ("value", "/value", "Value"),
    ("experiments", "/experiments", "Experiments"),
)
"""The menu: (key, path, title)."""


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None: JSON has no word for them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _figure_json(figure: dict[str, Any]) -> Markup:
    """A figure as JSON that is safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(_finite(figure), separators=(",", ":"), allow_nan=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _seconds(value: float | None) -> str:
    return "–" if value is None else duration(value)


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


templates.env.filters["figure_json"] = _figure_json
templates.env.filters["seconds"] = _seconds
templates.env.filters["when"] = _when
templates.env.globals["version"] = __version__
templates.env.globals["PAGES"] = PAGES


def render(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """The template ``name`` with ``context``; HTML pages are never cached (they show live data)."""
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response
