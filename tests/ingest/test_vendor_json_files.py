"""What every JSON importer shares (`chatlift.ingest.vendors.json_input`): JSON Lines records numbered by
their line, a broken line rejected under its number, and a file that is not the vendor's export refused
with an InputError naming the file, with nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from chatlift.errors import InputError
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, issues_of, quarantine, query, write
from tests.ingest.test_vendor_chatwoot import CONVERSATIONS as CHATWOOT
from tests.ingest.test_vendor_intercom import CONVERSATIONS as INTERCOM
from tests.ingest.test_vendor_zendesk import TICKETS as ZENDESK

NOT_JSON = ["this is not JSON\nnor is this\n", "42", '"records"', "null", '{"hello": 1}']
# vendor -> the table it fills first, and documents of a wrong shape that only that vendor's reading refuses
VENDORS: dict[str, tuple[str, list[str]]] = {
    "chatwoot": ("conversations", ['"conversations"', '{"data": {"payload": 5}}']),
    "intercom": ("conversations", ['{"type": "contact.list", "data": []}',
                                   '{"type": "conversation.list", "conversations": {"id": "1"}}']),
    "livechat": ("conversations", ['{"found_chats": 0}', '{"chats": {"id": "PJ0MRSHTDG"}}']),
    "woocommerce": ("orders", ["", '{"orders": []}']),
    "zendesk": ("conversations", ['{"tickets": 5}', '{"ticket": [1]}', '{"tickets": [], "users": {"id": 1}}']),
}


@pytest.mark.parametrize(("vendor", "text"), [
    *[(vendor, text) for vendor in VENDORS for text in NOT_JSON],
    *[(vendor, text) for vendor, (_, shapes) in VENDORS.items() for text in shapes],
])
def test_a_file_that_is_not_the_vendors_export_is_an_input_error(ws: Workspace, tmp_path: Path, vendor: str,
                                                                 text: str) -> None:
    path = write(tmp_path / "x.json", text)
    with pytest.raises(InputError) as caught:
        ws.import_vendor(vendor, [path])
    assert caught.value.location == str(path)
    assert caught.value.hint
    assert count(ws, VENDORS[vendor][0]) == 0


# vendor -> two good conversations of its test data, the start of a third cut off, and the stored ids
LINES: dict[str, tuple[Any, Any, str, list[str]]] = {
    "chatwoot": (CHATWOOT[1], CHATWOOT[2], '{"id": 301, "meta": {"channel": ', ["102", "103"]),
    "intercom": (INTERCOM[1], INTERCOM[3], '{"type": "conversation", "id": "301", "source": ', ["9002", "9004"]),
    "zendesk": (ZENDESK[4], ZENDESK[6], '{"id": 1601, "via": {"channel": ', ["1005", "1007"]),
}


@pytest.mark.parametrize("vendor", list(LINES))
def test_a_json_lines_line_that_is_not_json_is_rejected_by_its_line_number(ws: Workspace, tmp_path: Path,
                                                                           vendor: str) -> None:
    first, second, cut, stored = LINES[vendor]
    lines = [
        orjson.dumps(first).decode(),  # line 1
        "",  # line 2: blank, skipped but counted
        cut,  # line 3: cut off
        orjson.dumps(second).decode(),  # line 4
        "[1, 2]",  # line 5: not an object
    ]
    path = write(tmp_path / "export.jsonl", "\n".join(lines) + "\n")
    (done,) = ws.import_vendor(vendor, [path])
    assert done.translation.records_read == 4
    # lines 3 and 5 are empty records: every required field of a conversation is missing
    assert issues_of(done) == [("conversations", row, field, None) for row in (3, 5)
                               for field in ("conversation_id", "channel", "started_at")]
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [(i,) for i in stored]
    assert {row[2] for row in quarantine(ws)} == {3, 5}


def test_json_lines_of_whole_pages_are_refused_and_of_wrapped_records_read(ws: Workspace, tmp_path: Path) -> None:
    page = orjson.dumps({"tickets": [ZENDESK[4]]}).decode()
    pages = write(tmp_path / "pages.jsonl", f"{page}\n{page}\n")
    with pytest.raises(InputError, match="line 1 is a whole page") as caught:
        ws.import_vendor("zendesk", [pages])
    assert caught.value.location == str(pages)
    wrapped = write(tmp_path / "shown.jsonl", "\n".join(orjson.dumps({"ticket": t}).decode()
                                                         for t in (ZENDESK[4], ZENDESK[6])) + "\n")
    (done,) = ws.import_vendor("zendesk", [wrapped])
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [("1005",), ("1007",)]
    assert done.results[0].rows_read == 2
