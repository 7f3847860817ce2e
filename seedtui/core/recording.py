"""One trial's recorded log in columns: what a replay loads, folds and schedules without building
a Python dict per event.

Training-loss lines are most of a log's bytes (~500 of ~530 lines at the paper's scale). The
fast reader recognises the exact line the trainer writes (``encode_event`` of a ``train`` event:
``{"event":"train","t":..,"step":..,"epoch":..,"loss":..,"lr":..}`` with ``t``, ``epoch``, ``loss``
and ``lr`` written as floats), finds the lines that start like one with NumPy, checks their shapes
(the line with its digits deleted) and lets one orjson call check and convert their numbers (one
regular expression and NumPy instead, without orjson or for a NaN loss). It keeps all five numbers
in columns, from which the dicts are built when asked for: the same dicts ``json.loads`` makes.
Every other line (start, eval, end, unknown events, garbage, a cut last line, a train line written
any other way) goes through ``seedtui.log.parse_lines``, all of a log's in one call when they are
all valid events, so what is kept, skipped and counted as malformed is exactly what the tolerant
reader decides.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os
import pickle
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from seedtui.core import forked_work, recording_cache
from seedtui.log import iter_event_files, parse_lines
from seedtui.log.jsonl import MAX_LINE_BYTES, read_bytes_from
from seedtui.state.trial import EvalColumns, eval_columns

try:  # optional: a faster JSON decoder (pip install orjson); NumPy does the same work without it
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from seedtui.state import TrialState

_TRAIN_PREFIX = b'{"event":"train","t":'
# JSON numbers exactly as json.loads accepts them, whose integer part a float holds (at most 308
# digits: the schema refuses a longer integer); possessive quantifiers keep the check linear, and
# bounded digit runs keep a matching line far below MAX_LINE_BYTES. t, epoch, loss and lr must be
# written as floats (a fraction or an exponent, or NaN/Infinity, which encode_event writes for a
# diverged loss): json.loads makes a float of them, so float64 columns rebuild the same dict (an
# integer-written value would come back as a float). Steps are integers from 0, of at most 15
# digits, which convert exactly through float64.
_DIGITS = rb"-?(?:0|[1-9]\d{0,307}+)"
_EXPONENT = rb"[eE][+-]?\d{1,6}+"
_FLOAT = rb"(?:" + _DIGITS + rb"(?:\.\d{1,400}+(?:" + _EXPONENT + rb")?+|" + _EXPONENT + rb")|NaN|-?Infinity)"
_TRAIN_LINE = (
    rb'\{"event":"train","t":'
    + _FLOAT
    + rb',"step":(?:0|[1-9]\d{0,14}),"epoch":'
    + _FLOAT
    + rb',"loss":'
    + _FLOAT
    + rb',"lr":'
    + _FLOAT
    + rb"\}"
)
_ONE_TRAIN_LINE = re.compile(_TRAIN_LINE)
_TRAIN_BLOCK = re.compile(rb"(?:" + _TRAIN_LINE + rb"\n)*+")
# The train prefix (21 bytes) as three little-endian 8-byte words, at these offsets.
_PREFIX_WORD_OFFSETS = (0, 8, len(_TRAIN_PREFIX) - 8)
_PREFIX_WORDS = [int.from_bytes(_TRAIN_PREFIX[at : at + 8], "little") for at in _PREFIX_WORD_OFFSETS]
_PREFIX_PADDING = bytes(len(_TRAIN_PREFIX))
_NEWLINE = ord("\n")
# A train line with its digits deleted: the train lines of a log have a few such shapes, so the
# shapes are checked instead of every line (``_standard_shapes``), and the numbers themselves by a
# JSON decoder. A float leaves its point or exponent (and signs); a step leaves nothing.
_SHAPE_FLOAT = rb"-?(?:\.(?:[eE][+-]?)?+|[eE][+-]?)"
_TRAIN_SHAPE = re.compile(
    rb'\{"event":"train","t":'
    + _SHAPE_FLOAT
    + rb',"step":,"epoch":'
    + _SHAPE_FLOAT
    + rb',"loss":'
    + _SHAPE_FLOAT
    + rb',"lr":'
    + _SHAPE_FLOAT
    + rb"\}"
)
_TRAIN_SHAPE_LINE = re.compile(_TRAIN_SHAPE.pattern + rb"\n")
_DIGITS_CHARS = b"0123456789"
# After mapping these to commas, t, step, epoch, loss and lr are fields 10, 14, 18, 22 and 26.
_PUNCTUATION_TO_COMMAS = bytes.maketrans(b'{}":', b",,,,")
_TRAIN_FIELDS = (10, 14, 18, 22, 26)


@dataclass
class TrialRecording:
    """A trial's valid events in file order: train events of the standard shape as arrays, the
    rest (start, eval, end, unknown events, unusual train lines) as decoded dicts."""

    times: np.ndarray
    """``t`` of every event, in file order (float64, Unix seconds)."""
    train_rows: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """Positions (in file order) of the columnar train events."""
    train_steps: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    train_epochs: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    train_losses: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    train_lrs: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    """``step``, ``epoch``, ``loss`` and ``lr`` of the columnar train events (their ``t`` is in
    ``times``): all a train dict holds, so dicts are built from them only when asked for."""
    other_rows: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    other_events: list[dict[str, Any]] = field(default_factory=list)
    malformed: int = 0

    def __len__(self) -> int:
        return len(self.times)

    # What a worker process sends back: the columns without what is derived from them.
    _DERIVED = ("train_rows", "_materialized", "eval_rows", "_fold_plan")

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in self._DERIVED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.train_rows = train_rows_between(len(self.times), self.other_rows)

    @classmethod
    def from_events(cls, events: list[dict[str, Any]]) -> TrialRecording:
        """A recording of already-decoded events (kept as they are)."""
        return cls(
            times=np.array([float(e["t"]) for e in events], dtype=np.float64),
            other_rows=np.arange(len(events), dtype=np.int64),
            other_events=list(events),
        )

    # --- questions the replay asks ----------------------------------------------------------
    def event(self, index: int) -> dict[str, Any]:
        """The event at ``index`` as the tolerant reader decodes it."""
        other = int(np.searchsorted(self.other_rows, index))
        if other < len(self.other_rows) and self.other_rows[other] == index:
            return self.other_events[other]
        return self.events()[index]

    def events(self) -> list[dict[str, Any]]:
        """Every event as a dict, in file order (built once; replays rarely need it)."""
        return self._materialized

    @cached_property
    def _materialized(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{}] * len(self)
        columns = zip(
            self.train_rows.tolist(),
            self.times[self.train_rows].tolist(),
            self.train_steps.tolist(),
            self.train_epochs.tolist(),
            self.train_losses.tolist(),
            self.train_lrs.tolist(),
            strict=True,
        )
        for row, t, step, epoch, loss, lr in columns:  # the key order of the line
            out[row] = {"event": "train", "t": t, "step": step, "epoch": epoch, "loss": loss, "lr": lr}
        for row, event in zip(self.other_rows.tolist(), self.other_events, strict=True):
            out[row] = event
        return out

    @cached_property
    def eval_rows(self) -> np.ndarray:
        """Positions (in file order) of the evaluations."""
        return self.other_rows[self._fold_plan.eval_indices]

    def start_event(self) -> dict[str, Any] | None:
        return next((e for e in self.other_events if e.get("event") == "start"), None)

    def ends_with_end(self) -> bool:
        """True when the last event is an ``end`` (the recording seals the trial's fate)."""
        return (
            len(self.other_rows) > 0
            and int(self.other_rows[-1]) == len(self) - 1
            and self.other_events[-1].get("event") == "end"
        )

    def last_step(self, start: int, stop: int, default: int) -> int:
        """The step of the last event in ``[start, stop)`` that has one (a non-negative integer),
        else ``default``: the last train event's, unless a later other event has one."""
        train_at = int(np.searchsorted(self.train_rows, stop)) - 1
        train_row = int(self.train_rows[train_at]) if train_at >= 0 else -1
        other_at = int(np.searchsorted(self.other_rows, stop)) - 1
        while other_at >= 0 and int(self.other_rows[other_at]) >= max(start, train_row + 1):
            step = self.other_events[other_at].get("step")
            if isinstance(step, int) and not isinstance(step, bool) and step >= 0:
                return step
            other_at -= 1
        return int(self.train_steps[train_at]) if train_row >= start else default

    def eval_row(self, eval_number: int) -> int | None:
        """Position (in file order) of the trial's ``eval_number``-th evaluation (0-based), or None
        when the recording has fewer evaluations."""
        return int(self.eval_rows[eval_number]) if eval_number < len(self.eval_rows) else None

    # --- folding into a trial state ---------------------------------------------------------
    @cached_property
    def _fold_plan(self) -> _FoldPlan:
        kinds = [event.get("event") for event in self.other_events]
        eval_indices = [index for index, kind in enumerate(kinds) if kind == "eval"]
        evals_before = list(itertools.accumulate((kind == "eval" for kind in kinds), initial=0))
        run_ends = list(range(len(kinds)))
        end = len(kinds)
        for index in range(len(kinds) - 1, -1, -1):  # where the run of evaluations from here ends
            if kinds[index] == "eval":
                run_ends[index] = end
            else:
                end = index
        return _FoldPlan(
            has_train_events="train" in kinds, eval_indices=np.array(eval_indices, dtype=np.int64),
            run_ends=run_ends, evals_before=evals_before,
            evals=eval_columns([self.other_events[index] for index in eval_indices]),
        )

    def prepare_to_fold(self) -> None:
        """Work out now what folding needs (a replay calls it while its logs load, not when a key
        folds them all)."""
        self._fold_plan  # noqa: B018 - made and kept

    def _rows_between(self, rows: np.ndarray, start: int, stop: int) -> tuple[int, int]:
        """Where events ``[start, stop)`` begin and end among ``rows`` (train or other positions)."""
        low = 0 if start <= 0 else int(np.searchsorted(rows, start))
        high = len(rows) if stop >= len(self) else int(np.searchsorted(rows, stop))
        return low, high

    def fold_into(self, state: TrialState, start: int, stop: int) -> None:
        """Apply events ``[start, stop)`` to ``state``: the same result as ``state.apply`` on each
        in order, with the columnar train events appended in bulk."""
        if stop <= start:
            return
        plan = self._fold_plan
        train_from, train_to = self._rows_between(self.train_rows, start, stop)
        other_from, other_to = self._rows_between(self.other_rows, start, stop)
        if train_from < train_to and plan.has_train_events and any(
                e.get("event") == "train" for e in self.other_events[other_from:other_to]):
            for event in self.events()[start:stop]:  # unusual train lines interleave: keep order
                state.apply(event)
            return
        first_t = state.first_t
        state.train_steps.extend(self.train_steps[train_from:train_to])  # the arrays themselves
        state.train_losses.extend(self.train_losses[train_from:train_to])
        at = other_from
        while at < other_to:  # each run of evaluations at once, the other events one by one
            run_end = min(plan.run_ends[at], other_to)
            if run_end > at:
                state.apply_eval_columns(plan.evals[plan.evals_before[at] : plan.evals_before[run_end]])
                at = run_end
            else:
                state.apply(self.other_events[at])
                at += 1
        # every valid event has a numeric t; apply() would have set first_t and last_t from it
        state.first_t = float(self.times[start]) if first_t is None else first_t
        last_other = int(self.other_rows[other_to - 1]) if other_to > other_from else -1
        if last_other != stop - 1:
            state.last_t = float(self.times[stop - 1])


@dataclass(frozen=True)
class _FoldPlan:
    """What folding a recording's other events needs, worked out once: whether any is a train
    event (an unusual line), which are evaluations and where each run of them ends, and the
    evaluations' columns."""

    has_train_events: bool
    eval_indices: np.ndarray
    """Which of the other events are evaluations (their indices among them)."""
    run_ends: list[int]
    """For each other event: where the run of evaluations from it ends (itself when it is not one)."""
    evals_before: list[int]
    """For each other event (and the end): how many of the other events before it are evaluations."""
    evals: EvalColumns


def read_recording(path: str | os.PathLike[str]) -> TrialRecording:
    """A whole trial log (as ``read_events(path, final=True)`` reads it), in columns. A missing
    file reads as empty. (``read_recordings`` reads many, and keeps what it parsed.)"""
    return parse_recording(read_bytes_from(path, 0) or b"")


def parse_recording(data: bytes) -> TrialRecording:
    """The events of a whole log's bytes (a last line without newline is parsed, as ``final``)."""
    split = _split_by_search(data)
    columns = _standard_train_columns(split.block, split.count)
    if columns is None:  # some line looks like a train line but is not the standard one
        split = _split_line_by_line(data)
        columns = _train_columns(split.block, split.count)
    if not np.isfinite(columns[0]).all():  # a t of NaN or 1e999: the schema refuses it; the reader says so
        split = _split_line_by_line(data, finite_t_only=True)
        columns = _train_columns(split.block, split.count)
    train_t, train_steps, train_epochs, train_losses, train_lrs = columns
    kept, other_events, malformed = _decode_others(split.others)
    trains_before = np.array(split.trains_before, dtype=np.int64)[kept]
    # file position of an event = its rank among the lines that hold valid events
    other_rows = np.arange(len(kept), dtype=np.int64) + trains_before
    times = np.empty(len(train_t) + len(other_rows), dtype=np.float64)
    train_rows = train_rows_between(len(times), other_rows)  # the ranks of the train lines among the events
    times[train_rows] = train_t
    times[other_rows] = [float(e["t"]) for e in other_events]
    return TrialRecording(
        times=times,
        train_rows=train_rows,
        train_steps=train_steps,
        train_epochs=train_epochs,
        train_losses=train_losses,
        train_lrs=train_lrs,
        other_rows=other_rows,
        other_events=other_events,
        malformed=malformed,
    )


def train_rows_between(events: int, other_rows: np.ndarray) -> np.ndarray:
    """The positions of the columnar train events among ``events``: every event is either one of
    them or one of the others (at ``other_rows``)."""
    is_train = np.ones(events, dtype=bool)
    is_train[other_rows] = False
    return np.flatnonzero(is_train)


@dataclass
class _SplitLog:
    """A log's lines sorted: the columnar train lines, and every other line with how many columnar
    train lines precede it."""

    block: bytes
    """The columnar train lines, each newline-terminated, in file order."""
    count: int
    """How many lines ``block`` holds."""
    others: list[bytes]
    trains_before: list[int]


def _split_by_search(data: bytes) -> _SplitLog:
    """Lines that start like a train line are candidates for the columns; the others are a few
    dozen in a log of hundreds of lines. Found with NumPy: every line's newline, then the prefix
    compared as three 8-byte words at every line start. A last line without newline may be cut: it
    is always left to the tolerant reader."""
    whole = data[: data.rfind(b"\n") + 1]
    ends = np.flatnonzero(np.frombuffer(whole, dtype=np.uint8) == _NEWLINE)
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    # 8 bytes at every position; the padding lets the words of a line shorter than the prefix reach
    # past its newline (which the prefix lacks, so it cannot match) without leaving the buffer
    padded = whole + _PREFIX_PADDING
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    is_other = words[starts] != _PREFIX_WORDS[0]
    for word, offset in zip(_PREFIX_WORDS[1:], _PREFIX_WORD_OFFSETS[1:], strict=True):
        is_other |= words[starts + offset] != word
    other = np.flatnonzero(is_other)
    count = len(ends) - len(other)
    other_starts, other_ends = starts[other].tolist(), ends[other].tolist()
    others = [whole[a:b] for a, b in zip(other_starts, other_ends, strict=True)]
    trains_before = (other - np.arange(len(other))).tolist()  # lines before, less the other lines
    runs = zip([0, *(e + 1 for e in other_ends)], [*other_starts, len(whole)], strict=True)
    block = b"".join([whole[a:b] for a, b in runs if b > a])  # each run: whole candidate lines
    if len(whole) < len(data):
        others.append(data[len(whole) :])
        trains_before.append(count)
    return _SplitLog(block, count, others, trains_before)


def _split_line_by_line(data: bytes, *, finite_t_only: bool = False) -> _SplitLog:
    """The same split with every candidate checked on its own, for logs holding unusual train lines
    (and, with ``finite_t_only``, leaving a train line whose ``t`` is not finite to the tolerant
    reader, which refuses it)."""
    lines = data.split(b"\n")
    complete = len(lines) - 1  # the piece after the last newline is cut (or empty)
    columnar: list[bytes] = []
    others: list[bytes] = []
    trains_before: list[int] = []
    for index, line in enumerate(lines):
        if index < complete and _ONE_TRAIN_LINE.fullmatch(line) and (not finite_t_only or _finite_t(line)):
            columnar.append(line + b"\n")
        else:
            others.append(line)
            trains_before.append(len(columnar))
    return _SplitLog(b"".join(columnar), len(columnar), others, trains_before)


def _finite_t(train_line: bytes) -> bool:
    return math.isfinite(float(train_line[len(_TRAIN_PREFIX) : train_line.index(b',"step":')]))


def _decode_others(lines: list[bytes]) -> tuple[list[int], list[dict[str, Any]], int]:
    """The lines that are not columnar as ``parse_lines`` decides them: which of them hold valid
    events (their indices), those events, and how many lines were malformed. Blank lines are
    neither."""
    non_blank = [index for index, line in enumerate(lines) if line.strip()]
    events, malformed, _ = parse_lines(b"\n".join([lines[i] for i in non_blank]), final=True)
    if malformed == 0 and len(events) == len(non_blank):  # every line one event: all in one call
        return non_blank, events, 0
    kept: list[int] = []
    events = []
    malformed = 0
    for index in non_blank:  # one line at a time, to know which ones were malformed
        event = _decode_line(lines[index])
        if event is None:
            malformed += 1
        else:
            kept.append(index)
            events.append(event)
    return kept, events, malformed


def _decode_line(line: bytes) -> dict[str, Any] | None:
    """One non-blank line as ``parse_lines`` decides it: the valid event, or None (malformed)."""
    events, _, _ = parse_lines(line, final=True)  # orjson where it agrees with json, json elsewhere
    return events[0] if events else None


def _empty_columns() -> tuple[np.ndarray, ...]:
    empty = np.empty(0, np.float64)
    return empty, np.empty(0, np.int64), empty.copy(), empty.copy(), empty.copy()


def _standard_train_columns(block: bytes, count: int) -> tuple[np.ndarray, ...] | None:
    """t, step, epoch, loss and lr of candidate train lines, or None when one of them is not the
    standard train line (``_TRAIN_LINE``, or the same shape with any valid JSON numbers)."""
    if count == 0:
        return _empty_columns()
    if orjson is not None and _lines_within_limit(block):
        if _standard_shapes(block.translate(None, _DIGITS_CHARS), count):
            # every line is the standard one if its numbers are JSON numbers: orjson checks that
            columns = _orjson_columns(block, count)
            if columns is not None:
                return columns
    if _TRAIN_BLOCK.fullmatch(block) is None:
        return None
    return _train_columns(block, count)


def _lines_within_limit(block: bytes) -> bool:
    """No line of ``block`` is longer than the tolerant reader takes (it counts such a line as
    malformed without decoding it)."""
    return len(block) <= MAX_LINE_BYTES or max(map(len, block.split(b"\n"))) <= MAX_LINE_BYTES


def _standard_shapes(shapes: bytes, count: int) -> bool:
    """True when each of the ``count`` newline-terminated lines of ``shapes`` has a train line's shape.

    Most logs hold one to three shapes; the first and last lines usually show them all. A shape
    holds one ``{``, first, and one newline, last: so an occurrence of one is the end of a line from
    its last ``{``, each line holds at most one occurrence of any, and when the occurrences number
    ``count`` and fill ``shapes``, each line is one of them. Otherwise every line is looked at."""
    first = shapes[: shapes.find(b"\n") + 1]
    last = shapes[shapes.rfind(b"\n", 0, len(shapes) - 1) + 1 :]
    seen = {first, last}
    if all(_TRAIN_SHAPE_LINE.fullmatch(shape) for shape in seen):
        found = [(shapes.count(shape), len(shape)) for shape in seen]
        if sum(n for n, _ in found) == count and sum(n * size for n, size in found) == len(shapes):
            return True
    return all(_TRAIN_SHAPE.fullmatch(shape) for shape in set(shapes[:-1].split(b"\n")))


def _train_columns(block: bytes, count: int) -> tuple[np.ndarray, ...]:
    """t, step, epoch, loss and lr of the ``count`` validated standard train lines of ``block``."""
    if count == 0:
        return _empty_columns()
    columns = _orjson_columns(block, count) if orjson is not None else None
    if columns is not None:
        return columns
    text = block.translate(_PUNCTUATION_TO_COMMAS).decode("ascii")
    fields = np.loadtxt(
        io.StringIO(text), delimiter=",", usecols=_TRAIN_FIELDS, comments=None, dtype=np.float64, ndmin=2
    )
    t, step, epoch, loss, lr = (fields[:, i].copy() for i in range(5))
    return t, step.astype(np.int64), epoch, loss, lr


def _orjson_columns(block: bytes, count: int) -> tuple[np.ndarray, ...] | None:
    """The columns of standard-shaped train lines, decoded by orjson; None when it refuses them
    (NaN/Infinity, a number beyond a double) or a step is beyond int64 (orjson reads it as a float)."""
    try:
        rows = orjson.loads(b"[" + block[:-1].replace(b"\n", b",") + b"]")
    except orjson.JSONDecodeError:
        return None
    if len(rows) != count:
        return None
    # the values of every row in key order: event, t, step, epoch, loss, lr (the lines' shape)
    values = list(itertools.chain.from_iterable(map(dict.values, rows)))
    steps = np.array(values[2::6])
    if steps.dtype != np.int64:
        return None
    t, epoch, loss, lr = (np.array(values[i::6], dtype=np.float64) for i in (1, 3, 4, 5))
    return t, steps, epoch, loss, lr


@dataclass
class TrialSlice:
    """Events ``[start, stop)`` of one trial's recording, then ``extra`` events (a simulated end):
    what a replay delivers for one trial in one advance."""

    trial_id: str
    recording: TrialRecording
    start: int
    stop: int
    extra: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return self.stop - self.start + len(self.extra)

    def __bool__(self) -> bool:
        return len(self) > 0

    def events(self) -> list[dict[str, Any]]:
        return self.recording.events()[self.start : self.stop] + self.extra

    def pairs(self) -> list[tuple[str, dict[str, Any]]]:
        """The events as ``(trial_id, event)`` pairs, as other sources deliver them."""
        return [(self.trial_id, event) for event in self.events()]

    def fold_into(self, state: TrialState) -> None:
        self.recording.fold_into(state, self.start, self.stop)
        for event in self.extra:
            state.apply(event)


PARALLEL_MIN_LOGS = 64
"""From this many logs on, ``read_recordings`` parses them in worker processes: below it, starting
the workers costs more than it saves."""
_LOGS_PER_TASK = 16


def read_recordings(
    paths: Sequence[str | os.PathLike[str]], *, workers: int | None = None, cache: bool = True
) -> Iterator[TrialRecording]:
    """``read_recording`` of every path, in order. With ``cache``, what an earlier read of the same
    logs kept (``recording_cache``) is used, and once every log is read, what was parsed is kept
    with it. Many logs are parsed in forked worker processes (``forked_work``), which start at once
    (the caller can do other work meanwhile) and never wait for the caller's interpreter; a log a
    worker could not parse (it died, or its answer did not fit) is read in the caller's thread,
    with the same result."""
    paths = list(paths)
    kept = recording_cache.kept_logs(paths) if cache else recording_cache.KeptLogs([None] * len(paths))
    to_parse = [path for index, path in enumerate(paths) if not kept.has(index)]
    parsed = _parse_many(to_parse, workers, keep=cache)
    return _in_order(paths, kept, parsed, keep=cache)


def keep_parsed_logs(sweep_dir: str | os.PathLike[str]) -> int:
    """Parse and keep (``recording_cache``) every trial log of ``sweep_dir`` not kept yet, so that the
    first replay of a sweep just run opens as quickly as a second one; returns how many logs the
    sweep has. A supervisor calls it when its sweep ends (in the calling thread: no worker processes)."""
    paths = list(iter_event_files(sweep_dir))
    for _ in read_recordings(paths, workers=1):
        pass
    recording_cache.finish_writing()
    return len(paths)


@dataclass
class _ParsedLog:
    """A log parsed now: its recording and, to keep, its pack entry (None: not kept)."""

    recording: TrialRecording
    entry: recording_cache.KeptEntry | None


def _parse_log(path: str | os.PathLike[str], keep: bool) -> _ParsedLog:
    """One log parsed; with ``keep``, also its pack entry when the log did not change meanwhile."""
    identity = recording_cache.log_identity(path) if keep else None
    recording = read_recording(path)
    if identity is None or recording_cache.log_identity(path) != identity:  # not kept, or it changed
        return _ParsedLog(recording, None)
    return _ParsedLog(recording, recording_cache.encode_entry(recording, identity))


_KEPT, _PICKLED = b"K", b"P"


def _parse_in_worker(path: str | os.PathLike[str], keep: bool) -> bytes:
    """``_parse_log`` in a worker process, as the bytes it hands back: a log that is kept travels as
    its pack entry alone (the caller decodes it as it would a kept one: the same recording), any
    other as a pickle of its recording."""
    parsed = _parse_log(path, keep)
    if parsed.entry is not None:
        return _KEPT + parsed.entry.data
    return _PICKLED + pickle.dumps(parsed.recording, protocol=pickle.HIGHEST_PROTOCOL)


def _from_worker(answer: bytes | None) -> _ParsedLog | None:
    """What ``_parse_in_worker`` handed back, as the log parsed; None when there is nothing to use."""
    if answer is None:
        return None
    if answer.startswith(_PICKLED):
        return _ParsedLog(pickle.loads(answer[1:]), None)  # from a process of ours, never a file
    entry = recording_cache.entry_from_data(answer[1:]) if answer.startswith(_KEPT) else None
    recording = recording_cache.decode_entry(entry) if entry is not None else None
    return _ParsedLog(recording, entry) if recording is not None else None


def _in_order(
    paths: list[str | os.PathLike[str]], kept: recording_cache.KeptLogs, parsed: Iterator[_ParsedLog],
    *, keep: bool,
) -> Iterator[TrialRecording]:
    """Kept recordings decoded here (or the log parsed here when its entry is damaged), the others
    as the workers parse them, in the paths' order; then, when some were parsed, the pack of all."""
    entries: list[recording_cache.KeptEntry | None] = []
    try:
        for index, path in enumerate(paths):
            recording = kept.recording(index)
            if recording is not None:
                entries.append(kept.entry(index))
            else:
                log = next(parsed) if not kept.has(index) else _parse_log(path, keep)
                recording = log.recording
                entries.append(log.entry)
            yield recording
        if keep and any(entry is not kept.entry(index) for index, entry in enumerate(entries)):
            recording_cache.store_pack_later(paths, entries)
    finally:  # also when the caller stops early: the workers stop too
        close = getattr(parsed, "close", None)
        if close is not None:
            close()


def _parse_many(
    paths: list[str | os.PathLike[str]], workers: int | None, *, keep: bool
) -> Iterator[_ParsedLog]:
    read = functools.partial(_parse_log, keep=keep)
    workers = workers if workers is not None else default_workers()
    if len(paths) < PARALLEL_MIN_LOGS or workers < 2 or not forked_work.can_fork():
        return map(read, paths)
    try:
        answers = forked_work.ForkedWork(paths, [_size(path) for path in paths],
                                         functools.partial(_parse_in_worker, keep=keep), workers)
    except OSError:
        return map(read, paths)
    return _received(paths, answers, read)


def _size(path: str | os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def default_workers() -> int:
    """How many worker processes ``read_recordings`` starts: one per core this process may use, at
    most 4 (on 2 cores, 4 workers read a 625-trial sweep slower than 2: bench/bench_recording.py)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(4, cores or 1)


def _received(
    paths: list[str | os.PathLike[str]], answers: forked_work.ForkedWork,
    read: Callable[[str | os.PathLike[str]], _ParsedLog],
) -> Iterator[_ParsedLog]:
    """The workers' answers in order; a log they could not parse (or whose answer is unusable) is
    parsed here."""
    try:
        for path, answer in zip(paths, answers, strict=True):
            yield _from_worker(answer) or read(path)
    finally:  # also when the caller stops early: the workers stop too
        answers.close()
