"""The log contract of a sweep directory: file names, schemas and validators, the one reader and tail.

``files`` names every file of a sweep directory; ``jsonl`` is the one tolerant JSON-lines reader and
tail; ``events`` the trial event log's schema, writer and readers; ``decisions``,
``supervisor_state`` and ``launch_records`` the other files' schemas, writers and readers (with
the one field check of ``schema``); ``control`` the control channel's commands, rules and replies;
``text_tail`` the end of a text log; ``trial_env`` what a command-template trial is told (its
environment variables and placeholders); ``atomic_file``
the atomic replacement of state files. ``docs/log-format.md`` documents all of it. Imports neither
torch nor Textual, so the trainer, the engine and every front end can share it.
"""

from __future__ import annotations

from seedtui.log.events import (
    END_STATUSES,
    KNOWN_EVENTS,
    REQUIRED_FIELDS,
    SCHEMA_VERSION,
    EventLogError,
    EventTail,
    EventWriter,
    append_event,
    encode_event,
    is_finite_number,
    parse_lines,
    read_events,
    validate_event,
)
from seedtui.log.files import (
    EVENTS_FILE,
    STDERR_FILE,
    TRIALS_DIR,
    iter_event_files,
    parse_trial_id,
    trial_id,
)
from seedtui.log.jsonl import MAX_LINE_BYTES, JsonlTail, ReadResult, read_jsonl

__all__ = [
    "END_STATUSES", "EVENTS_FILE", "KNOWN_EVENTS", "MAX_LINE_BYTES", "REQUIRED_FIELDS", "SCHEMA_VERSION",
    "STDERR_FILE", "TRIALS_DIR", "EventLogError", "EventTail", "EventWriter", "JsonlTail", "ReadResult",
    "append_event", "encode_event", "is_finite_number", "iter_event_files", "parse_lines",
    "parse_trial_id", "read_events", "read_jsonl", "trial_id", "validate_event",
]
