"""The report's WI-ranks figure: drawn for a folder of sweeps, absent for one sweep."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seedtui.report import wi_ranks
from seedtui.report.build import ReportOptions, write_html
from seedtui.report.figure import CannotDraw
from seedtui.report.inputs import ReportInputs
from seedtui.testing.trial_log import write_trial

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"


def inputs_for(folder: Path) -> ReportInputs:
    return ReportInputs(sweep_dir=folder, trials=[], grid=None, summary=None, plan_rows=None,
                        config_text=None)


def test_the_sample_folder_draws_the_ranks_with_the_tests_in_the_caption() -> None:
    drawn = wi_ranks.draw(inputs_for(SAMPLES))
    axes = drawn.figure.axes[0]
    assert [line.get_label() for line in axes.get_lines()][3] == "WI 4 (mean rank 1.67)"
    assert np.asarray(axes.get_lines()[3].get_ydata()).tolist() == [1.0, 3.0, 1.0]  # CoLA, MRPC, RTE
    assert "Kendall's W = 0.4667" in drawn.note and "Friedman p = 0.2311" in drawn.note
    assert "Left out: " in drawn.note
    assert "cola-minilm-tfp (WI 11, 12, 13): shares fewer than 2 WI seeds" in drawn.note
    # recorded with another copy of MiniLM (another model path): its WI seeds draw another head
    assert "sst2-minilm-dodge2020-cpu: a WI seed draws a different head there" in drawn.note


def test_one_sweep_has_no_such_figure_and_unshared_seeds_say_why(tmp_path: Path) -> None:
    assert wi_ranks.folder_specs(SAMPLES / "rte-minilm-5x5") == ()
    for name, wi in (("a", 1), ("b", 2)):
        write_trial(tmp_path / name, wi, 1, [0.5, 0.6], evals_per_epoch=2)
    with pytest.raises(CannotDraw, match="cannot be compared"):
        wi_ranks.draw(inputs_for(tmp_path))


def test_a_folder_report_carries_the_figure(tmp_path: Path) -> None:
    for name, means in (("a", (0.6, 0.7, 0.8)), ("b", (0.6, 0.8, 0.7))):
        for wi, mean in enumerate(means, start=1):
            for do in (1, 2):
                write_trial(tmp_path / name, wi, do, [0.5, mean + 0.01 * do], evals_per_epoch=2)
    page = write_html(tmp_path, tmp_path / "report.html", ReportOptions(show_progress=False)).read_text()
    assert 'id="fig-wi-ranks"' in page
    assert "Weight-initialization seeds ranked across sweeps" in page
