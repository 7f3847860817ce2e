"""``seedtui report``: the paper's figures and tables for a sweep, as one self-contained HTML
file or as PNG files. matplotlib (the ``report`` extra) is imported only when this runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seedtui.cli.app import app

FORMATS = ("html", "png")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"seedtui report: {message}", err=True)
    return typer.Exit(code=2)


@app.command()
def report(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep directory, or any tree of trial logs.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write (with --format html).")
    ] = Path("report.html"),
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="html: one self-contained HTML file; png: a PNG per figure.")
    ] = "html",
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="The directory for the PNG files (with --format png).")
    ] = Path("report-figures"),
    include_incomplete: Annotated[
        bool, typer.Option("--include-incomplete", help="Also use trials that did not complete.")
    ] = False,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap resamples over WI and DO seeds (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap and of Figure 4's curves.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Write the paper's figures and tables for a sweep as one HTML file, or as PNG files."""
    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not sweep_dir.is_dir():
        raise _fail(f"{sweep_dir} is not a directory")
    from seedtui.core.engine.config_table import seed_problem

    if (problem := seed_problem(seed)) is not None:
        raise _fail(f"--seed {problem}")
    if fmt == "html" and out.is_dir():
        raise _fail(f"--out {out} is a directory: give the HTML file to write (e.g. {out / 'report.html'})")
    if fmt == "png" and out_dir.exists() and not out_dir.is_dir():
        raise _fail(f"--out-dir {out_dir} is a file, not a directory")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise _fail("matplotlib is not installed: pip install 'seedtui[report]'") from None
    from seedtui.report.build import ReportOptions, write_html, write_pngs
    from seedtui.report.inputs import ReportInputError

    options = ReportOptions(include_incomplete=include_incomplete, bootstrap=bootstrap, seed=seed,
                            show_progress=not quiet)
    try:
        if fmt == "html":
            path = write_html(sweep_dir, out, options)
            typer.echo(f"wrote {path}", err=True)
            return
        written, skipped = write_pngs(sweep_dir, out_dir, options)
    except ReportInputError as error:
        raise _fail(str(error)) from None
    for path in written:
        typer.echo(f"wrote {path}", err=True)
    for figure in skipped:
        typer.echo(f"not drawn: {figure.spec.title}: {figure.missing}", err=True)
