"""How fast the JSON-lines decoder reads every line of the recorded sweeps in sample_logs/, against
the rule it must agree with (``decode_line`` on each line) and against the old batch decoder (one
``json.loads`` over the lines joined into an array, which read crafted invalid lines as valid).

    .venv/bin/python bench/bench_decoder.py [--repeat N]

Prints milliseconds (best of N) and each path's ratio to the line-by-line rule; the orjson path is
measured only when orjson is installed. The answers are checked equal before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seedtui.log import jsonl
from seedtui.log.files import iter_event_files

SAMPLE_LOGS = Path(__file__).resolve().parents[1] / "sample_logs"


def _old_batch(lines: list[bytes]) -> tuple[list[Any], int]:
    """The decoder this module had before issue 15 (its fast path only)."""
    return json.loads(b"[" + b",".join(lines) + b"]"), 0


def _best_ms(decode: Callable[[list[bytes]], object], lines: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        decode(lines)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Timings per path (the best is kept).")
    args = parser.parse_args()
    data = b"".join(path.read_bytes() for path in iter_event_files(SAMPLE_LOGS) if path.is_file())
    lines, _ = jsonl.split_complete_lines(data, final=True)
    paths: dict[str, Callable[[list[bytes]], tuple[list[Any], int]]] = {
        "line by line (the rule)": jsonl._decode_each,
        "scanner over the batch (no orjson)": jsonl._decode_scanned,
    }
    if jsonl.orjson is not None:
        paths["orjson per line (default when installed)"] = jsonl._decode_with_orjson
    reference = repr(jsonl._decode_each(lines))
    for name, decode in paths.items():
        assert repr(decode(lines)) == reference, name
    print(f"{len(lines)} lines, {len(data) / 1e6:.1f} MB from {SAMPLE_LOGS}")
    base = _best_ms(jsonl._decode_each, lines, args.repeat)
    for name, decode in {**paths, "old batch json.loads (wrong on crafted lines)": _old_batch}.items():
        ms = base if decode is jsonl._decode_each else _best_ms(decode, lines, args.repeat)
        print(f"{name:48} {ms:8.1f} ms   {base / ms:5.2f}x the rule's speed")


if __name__ == "__main__":
    main()
