"""Schemathesis against the served OpenAPI document: no generated request makes the server fail (5xx).

Every operation of the document gets generated requests (valid and invalid per the schema), sent
with an admin key so that every route is reachable. The module's server has its own copy of the
demo database, so whatever the fuzzer ingests stays there. (Driven through hypothesis directly:
schemathesis' pytest plugin does not load under this pytest.)"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Server


def test_no_generated_request_causes_a_server_error(demo_server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{demo_server.url}/v1/openapi.json")
    headers = {"Authorization": f"Bearer {demo_server.keys['admin']}"}
    results: list[Any] = list(schema.get_all_operations())
    operations = [result.ok() for result in results]
    assert {op.label for op in operations} >= {"GET /v1/report", "POST /v1/ingest/{table}", "GET /v1/metrics"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            # a shared 2-core CI machine: allow a slow answer (a CLV fit, a year of churn); never a 5xx
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=60)

        check()
