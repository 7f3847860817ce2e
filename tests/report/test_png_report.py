"""The PNG mode: one file per figure that can be drawn, and a reason for each that cannot."""

from __future__ import annotations

from pathlib import Path

from seedtui.report.build import FIGURES, ReportOptions, png_name, write_pngs

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUIET = ReportOptions(show_progress=False)


def test_one_png_per_figure(small_sweep: Path, tmp_path: Path) -> None:
    written, skipped = write_pngs(small_sweep, tmp_path / "figures", QUIET)
    assert skipped == []
    expected = {png_name(number, spec) for number, spec in enumerate(FIGURES, start=1)}
    assert {path.name for path in written} == expected
    assert {path.name for path in (tmp_path / "figures").iterdir()} == expected
    for path in written:
        assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_undrawable_figures_are_skipped_with_a_reason(one_trial_sweep: Path, tmp_path: Path) -> None:
    written, skipped = write_pngs(one_trial_sweep, tmp_path / "figures", QUIET)
    assert [path.name for path in written] == ["fig4-curves.png"]
    assert len(skipped) == len(FIGURES) - 1
    assert all(figure.missing for figure in skipped)
