"""The web dashboard: server-rendered pages over the same library the CLI and the API use.

Pages (each needs a signed-in user with the role read or admin):

* ``/`` overview: headline KPI cards, attributed revenue trend, and a live panel of today's figures;
* ``/sales`` sales impact (correlational figures labelled as such), ``/service`` speed and service,
  ``/channels`` channels side by side, ``/agents`` agents and teams, ``/experience`` NPS, CSAT, CES
  and the latest comments;
* ``/value`` what support is worth: churn and revenue retention, retention cohorts, lifetime value and
  ROI, split by chatters and CSAT band (``basis``, ``inactivity``, ``months``, ``calibration_end``,
  ``horizon``, ``experiment`` in the query string; see `value`);
* ``/conversations?metric=…&group=…`` the conversations behind a number, with a CSV download;
* ``/experiments`` every experiment with its units and sample-ratio status, and ``/experiments/{key}``
  one read-out: lifts with intervals, verdict and notes, cumulative lift (``sequential=1``,
  ``bayesian=1``, ``correction=holm|bh|none`` in the query string; see `experiments`);
* ``/login``, ``/logout``, ``/setup`` (first user), and ``/static/…`` (our CSS and JavaScript, and
  plotly.js from the installed plotly package: no CDN, works offline).

The filters (period, time zone, channel, team, segment) live in the query string, so every view can
be shared as a link. Charts are plotly figures built in Python and embedded as JSON.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from chatlift.web import auth, routes
from chatlift.web.rendering import HERE, templates


def install(app: FastAPI) -> None:
    """Serve the dashboard from ``app`` (which `chatlift.api.create_app` builds)."""
    templates.env.globals["plotly_url"] = routes.PLOTLY_URL
    app.include_router(auth.router)
    app.include_router(routes.router)
    app.add_exception_handler(auth.SignInNeeded, auth.login_redirect)  # type: ignore[arg-type]
    app.add_exception_handler(auth.NotAllowed, auth.not_allowed_page)  # type: ignore[arg-type]
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


__all__ = ["install"]
