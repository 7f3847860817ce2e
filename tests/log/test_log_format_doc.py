"""docs/log-format.md against what the producers write: every field a schema knows is documented,
every documented required field is required by its validator (and the other way round), and every
field of the recorded sweeps in sample_logs/ is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from seedtui.log import decisions as decisions_module
from seedtui.log import events, files, launch_records, supervisor_state
from seedtui.log.control import ACTIONS, ControlCommand, ControlReply, append_reply
from seedtui.log.schema import FieldTypes

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "log-format.md").read_text(encoding="utf-8")
SAMPLES = ROOT / "sample_logs"
_TICKED = re.compile(r"`([^`]+)`")


def section(title: str) -> str:
    """The text under the heading that contains ``title``, up to the next heading of its level or above."""
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and title in line)
    def level(line: str) -> int:
        return len(line) - len(line.lstrip("#")) if line.startswith("#") else 0

    end = next((i for i in range(start + 1, len(lines)) if 0 < level(lines[i]) <= level(lines[start])),
               len(lines))
    return "\n".join(lines[start + 1:end])


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of the tables in ``text``."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not set(line) <= set("|- "):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [row for row in rows if _TICKED.search(row[0])]  # header rows name no field


def ticked(cell: str) -> set[str]:
    return set(_TICKED.findall(cell))


def field_table(title: str) -> tuple[set[str], set[str]]:
    """(every documented field, the required ones) of a ``| field | type | required | meaning |`` table."""
    rows = table_rows(section(title))
    every = {_TICKED.findall(row[0])[0] for row in rows}
    required = {_TICKED.findall(row[0])[0] for row in rows if row[2] == "yes"}
    return every, required


def event_table() -> dict[str, tuple[set[str], set[str]]]:
    """event -> (documented required fields, documented optional fields)."""
    rows = [row for row in table_rows(section("The event log")) if len(row) == 4]
    return {_TICKED.findall(row[0])[0]: (ticked(row[1]), ticked(row[2])) for row in rows}


def recorded_events() -> list[dict]:
    found = []
    for path in sorted(SAMPLES.glob("*/trials/*/events.jsonl")):
        found += events.read_events(path, final=True).events
    assert found, "no recorded sweeps"
    return found


def test_every_event_and_field_of_the_schema_is_documented_as_the_validator_says() -> None:
    documented = event_table()
    assert set(documented) == events.KNOWN_EVENTS
    for name, (required, optional) in documented.items():
        assert required == set(events.REQUIRED_FIELDS[name]), name
        assert optional == set(events.OPTIONAL_FIELDS[name]), name
    explained = set().union(*(ticked(row[0]) for row in table_rows(section("What each field holds"))))
    schema_fields = {key for table in (events.REQUIRED_FIELDS, events.OPTIONAL_FIELDS)
                     for fields in table.values() for key in fields}
    assert schema_fields <= explained


def test_every_field_the_recorded_trials_wrote_is_documented_for_its_event() -> None:
    documented = event_table()
    for event in recorded_events():
        required, optional = documented[event["event"]]
        assert set(event) - {"event", "t"} <= required | optional, event["event"]


def _assert_matches(title: str, required: FieldTypes, optional: FieldTypes) -> None:
    every, documented_required = field_table(title)
    assert documented_required == set(required), title
    assert every == set(required) | set(optional), title


@pytest.mark.parametrize(("title", "required", "optional"), [
    ("`decisions.jsonl`", decisions_module.REQUIRED_FIELDS, decisions_module.OPTIONAL_FIELDS),
    ("`supervisor.json`", supervisor_state.REQUIRED_FIELDS, supervisor_state.OPTIONAL_FIELDS),
    ("`trials/<trial_id>/launch.json`", launch_records.LAUNCH_REQUIRED, launch_records.LAUNCH_OPTIONAL),
    ("`trials/<trial_id>/ray.json`", launch_records.RAY_REQUIRED, launch_records.RAY_OPTIONAL),
    ("`trials/<trial_id>/stop_request.json`", launch_records.STOP_REQUIRED, {}),
])
def test_each_file_table_matches_its_validator(title: str, required: FieldTypes,
                                               optional: FieldTypes) -> None:
    _assert_matches(title, required, optional)


def test_every_decision_field_written_and_recorded_is_documented() -> None:
    every, _ = field_table("`decisions.jsonl`")
    written = set(decisions_module.Decision.__dataclass_fields__)
    recorded = {key for path in SAMPLES.glob(f"*/{files.DECISIONS_FILE}")
                for record in decisions_module.read_decisions(path.parent) for key in record}
    assert recorded and written <= every and recorded <= every


def test_every_summary_field_recorded_is_documented() -> None:
    every, required = field_table("`summary.json`")
    summaries = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob(f"*/{files.SUMMARY_FILE}"))]
    assert summaries
    for summary in summaries:
        assert set(summary) == every == required
        assert summary["best"] is None or set(summary["best"]) <= ticked(section("`summary.json`"))


def test_control_records_are_documented(tmp_path: Path) -> None:
    text = section("`control.jsonl`")
    commands = [row for row in table_rows(text) if len(row) == 4]
    command_fields = {_TICKED.findall(row[0])[0] for row in commands}
    assert {_TICKED.findall(row[0])[0] for row in commands if row[2] == "yes"} == {"action", "id", "outcome"}
    record = ControlCommand(id="c1", action="pause", args={}, t=1.0).to_record()
    assert set(record) <= command_fields
    documented_actions = set().union(*(ticked(row[0]) for row in table_rows(text) if len(row) == 3))
    assert documented_actions == set(ACTIONS)
    append_reply(tmp_path, ControlReply(id="c1", action="pause", outcome="done", reason="", t=2.0))
    reply = json.loads((tmp_path / files.CONTROL_REPLIES_FILE).read_text())
    assert set(reply) <= command_fields


def test_every_file_name_is_in_the_sweep_directory_tree() -> None:
    tree = section("A sweep directory")
    names = [value for name, value in vars(files).items()
             if name.endswith(("_FILE", "_DIR")) and isinstance(value, str)]
    assert len(names) >= 15
    for value in names:
        assert value in tree, value
    assert files.failed_events_name(1).replace("1", "<n>") in tree
    assert files.failed_stderr_name(1).replace("1", "<n>") in tree


def test_every_module_of_the_package_is_listed() -> None:
    listed = ticked(section("The log format"))
    for path in (ROOT / "seedtui" / "log").glob("*.py"):
        if path.name != "__init__.py":
            assert path.name in listed, path.name
