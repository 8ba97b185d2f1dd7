"""The dashboard's pages: one route per page, all sharing the filter bar (see `view.View`)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from chatlift.api.security import Caller, service, session_caller
from chatlift.errors import ChatliftError, ExperimentError
from chatlift.web import drill, lookups, pages
from chatlift.web import experiments as experiment_pages
from chatlift.web import value as value_page
from chatlift.web.auth import SignedIn
from chatlift.web.rendering import render
from chatlift.web.view import View
from chatlift.workspace import Workspace

router = APIRouter(include_in_schema=False)

Builder = Callable[[Workspace, View, Any], dict[str, Any]]

LIVE_SECONDS = 10.0  # how often the live panel asks for today's figures
FASTEST_LIVE = 0.5  # the shortest interval ?refresh= may ask for


def show(request: Request, user: Caller, key: str, title: str, build: Builder, *,
         extra: dict[str, Any] | None = None) -> HTMLResponse:
    """Page ``key``: its view from the query string, its content from ``build``; a bad filter value
    shows the page's filter bar with the error (status 400) instead of the content."""
    svc = service(request)
    query = dict(request.query_params)
    with svc.workspace() as ws:
        options = lookups.choices(ws)
        try:
            view = View.from_query(query, _latest(ws, query.get("tz")))
            content = build(ws, view, svc.business_hours)
            status, error = 200, None
        except ChatliftError as failure:
            view = View.from_query({}, lookups.latest_day(ws, "UTC"))
            content, status, error = {}, 400, failure
    context = {"title": title, "page": key, "user": user, "view": view, "options": options, "error": error,
               **(extra or {}), **content}
    return render(request, f"{key}.html", context, status=status)


def _latest(ws: Workspace, timezone: str | None) -> Any:
    try:
        return lookups.latest_day(ws, timezone or "UTC")
    except (KeyError, ValueError):  # an unknown zone: View.from_query says so
        return lookups.latest_day(ws, "UTC")


def _refresh(request: Request) -> float:
    text = request.query_params.get("refresh", "")
    try:
        return max(FASTEST_LIVE, float(text)) if text else LIVE_SECONDS
    except ValueError:
        return LIVE_SECONDS


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "overview", "Overview", pages.overview, extra={"refresh": _refresh(request)})


@router.get("/live.json")
def live_json(request: Request) -> Response:
    """The overview's live panel as JSON (its figures with their text), for the panel to poll."""
    if session_caller(request) is None:
        return JSONResponse({"error": "not signed in", "hint": "sign in at /login"}, status_code=401)
    svc = service(request)
    try:
        with svc.workspace() as ws:
            view = View.from_query(dict(request.query_params), None)
            found = pages.live(ws, view, svc.business_hours)
    except ChatliftError as failure:
        return JSONResponse({"error": failure.message, "hint": failure.hint}, status_code=400)
    return JSONResponse(pages.live_document(found), headers={"Cache-Control": "no-store"})


@router.get("/sales", response_class=HTMLResponse)
def sales(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "sales", "Sales impact", pages.sales)


@router.get("/service", response_class=HTMLResponse)
def service_page(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "service", "Service", pages.service)


@router.get("/channels", response_class=HTMLResponse)
def channels(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "channels", "Channels", pages.channels)


@router.get("/agents", response_class=HTMLResponse)
def agents(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "agents", "Agents & teams", pages.people)


@router.get("/experience", response_class=HTMLResponse)
def experience(request: Request, user: SignedIn) -> HTMLResponse:
    return show(request, user, "experience", "Customer experience", pages.experience)


@router.get("/value", response_class=HTMLResponse)
def value(request: Request, user: SignedIn) -> HTMLResponse:
    query = dict(request.query_params)
    declared = experiment_pages.definitions(request)
    return show(request, user, "value", "Value", lambda ws, view, hours: value_page.build(ws, view, query, declared))


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request, user: SignedIn) -> HTMLResponse:
    metric = request.query_params.get("metric", "")
    groups = request.query_params.getlist("group")
    return show(request, user, "conversations", "Conversations behind a number",
                lambda ws, view, hours: drill.behind(ws, view, metric, groups, hours))


@router.get("/experiments", response_class=HTMLResponse)
def experiments(request: Request, user: SignedIn) -> HTMLResponse:
    return _experiment_page(request, user, "experiments", "Experiments",
                            lambda ws: experiment_pages.listing(ws, experiment_pages.definitions(request)))


@router.get("/experiments/{key}", response_class=HTMLResponse)
def experiment(key: str, request: Request, user: SignedIn) -> HTMLResponse:
    def build(ws: Workspace) -> dict[str, Any]:
        reading = experiment_pages.Options.from_query(dict(request.query_params))
        return experiment_pages.detail(ws, experiment_pages.definitions(request), key, reading)

    return _experiment_page(request, user, "experiment", f"Experiment {key}", build)


def _experiment_page(request: Request, user: Caller, template: str, title: str,
                     build: Callable[[Workspace], dict[str, Any]]) -> HTMLResponse:
    """An experiment page: no period filters (an experiment has its own dates); an unknown experiment is a
    404 and a bad reading option a 400, each with the library's message and hint."""
    with service(request).workspace() as ws:
        view = View.from_query({}, lookups.latest_day(ws, "UTC"))  # only for the menu's links
        error: ChatliftError | None = None
        try:
            content, status = build(ws), 200
        except ExperimentError as failure:
            content, status, error = {}, 404, failure
        except ChatliftError as failure:
            content, status, error = {}, 400, failure
    context = {"title": title, "page": "experiments", "user": user, "view": view, "error": error, **content}
    return render(request, f"{template}.html", context, status=status)


def plotly_file() -> Path:
    """plotly.min.js of the installed plotly package (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed: pip install plotly")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


PLOTLY_VERSION = importlib.metadata.version("plotly")
PLOTLY_URL = f"/static/plotly-{PLOTLY_VERSION}.min.js"  # the version in the path: cached for a year


@router.get(PLOTLY_URL)
def plotly_js(request: Request) -> Response:
    etag = f'"plotly-{PLOTLY_VERSION}"'
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(plotly_file(), media_type="text/javascript", headers=headers)
