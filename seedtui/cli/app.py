"""The typer application that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="seedtui",
    help=(
        "Run, watch and analyse seed sweeps of transformer fine-tuning (weight initialization x data "
        "order), after Dodge et al. (2020).\n\n"
        "Shortcuts: 'seedtui CONFIG.toml' launches a sweep in the TUI, 'seedtui SWEEP_DIR' attaches to "
        "one, 'seedtui --auto-stop CONFIG.toml' runs one headless with its early-stopping policy."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
