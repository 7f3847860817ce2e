"""The report's header line and its plain-language notices: which trials were used, which were
left out and why, which grid cells are missing, and what could not be computed."""

from __future__ import annotations

from seedtui.report.inputs import ReportInputs

# Long lists of trial ids are cut after this many, with a count of the rest.
MAX_LISTED = 30


def describe_sweep(inputs: ReportInputs) -> str:
    start = inputs.first_start or {}
    parts = []
    for key in ("task", "model"):
        if key in start:
            parts.append(f"{key} {start[key]}")
    grid = inputs.grid
    if grid is not None:
        direction = "greater is better" if grid.greater_is_better else "lower is better"
        parts.append(f"metric {grid.metric} ({direction})")
        shape = f"{len(grid.wi_seeds)} WI x {len(grid.do_seeds)} DO seeds"
        parts.append(f"{_count(len(grid.trial_ids), 'trial')} used ({shape})")
    elif "metric" in start:
        parts.append(f"metric {start['metric']}")
    parts.append(f"{_count(len(inputs.trials), 'trial log')} found")
    return " · ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def notices(inputs: ReportInputs) -> list[str]:
    found = len(inputs.trials)
    grid = inputs.grid
    lines: list[str] = []
    statuses: dict[str, int] = {}
    for trial in inputs.trials:
        statuses[trial.status] = statuses.get(trial.status, 0) + 1
    status_text = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    plural = "s" if found != 1 else ""
    lines.append(f"{found} trial log{plural} found under {inputs.sweep_dir}: {status_text}.")
    if grid is not None:
        used = len(grid.trial_ids)
        rule = "all trials with evaluations" if inputs.include_incomplete else "completed trials only"
        lines.append(f"The statistics use {used} of them ({rule}).")
        if grid.excluded:
            listed = "; ".join(f"{trial}: {reason}" for trial, reason in grid.excluded[:MAX_LISTED])
            more = len(grid.excluded) - MAX_LISTED
            lines.append(f"Left out: {listed}" + (f"; and {more} more." if more > 0 else "."))
        if grid.missing_cells:
            cells = ", ".join(f"wi{wi}-do{do}" for wi, do in grid.missing_cells[:MAX_LISTED])
            more = len(grid.missing_cells) - MAX_LISTED
            lines.append(
                f"The WI x DO grid has {len(grid.missing_cells)} missing cell"
                f"{'s' if len(grid.missing_cells) != 1 else ''} (no usable trial): {cells}"
                + (f", and {more} more." if more > 0 else ".")
                + " Statistics that need a full grid use what is still defined."
            )
        if used == 1:
            lines.append(
                "Only one trial: expected validation performance beyond n = 1, seed standard "
                "deviations, the ANOVAs, correlations between evaluations and the early-stopping "
                "planner need several trials and cannot be computed."
            )
    for part, reason in inputs.unavailable.items():
        lines.append(f"Not computed ({part}): {reason.rstrip('.')}.")
    malformed = sum(trial.malformed_lines for trial in inputs.trials)
    if malformed:
        lines.append(f"{malformed} malformed log line{'s' if malformed != 1 else ''} were skipped.")
    return lines
