"""The numpy/scipy.special versions of F tests and ranks agree with scipy.stats, and
``seedtui stats`` never imports scipy.stats (its import alone outlasts the whole command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from seedtui.core.stats.anova import f_survival, one_way_anova
from seedtui.core.stats.correlation import average_ranks


def _same(ours: float, theirs: float) -> bool:
    if np.isnan(theirs):
        return bool(np.isnan(ours))
    return ours == pytest.approx(theirs, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("sizes", [(2, 1), (5, 7), (3, 3, 3), (10, 2, 6, 4)])
def test_one_way_anova_equals_f_oneway(rng: np.random.Generator, sizes: tuple[int, ...]) -> None:
    groups = [rng.normal(0.6 + 0.02 * i, 0.05, size) for i, size in enumerate(sizes)]
    direct = sps.f_oneway(*groups)
    f_value, p_value = one_way_anova(*groups)
    assert _same(f_value, direct.statistic) and _same(p_value, direct.pvalue)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "groups",
    [
        ([0.5, 0.5, 0.5], [0.7, 0.7]),  # constant groups that differ: F = inf, p = 0
        ([0.5, 0.5], [0.5, 0.5, 0.5]),  # all equal: NaN
        ([0.5], [0.7]),  # no group with two values: NaN
        ([0.61, 0.62, 0.61], [0.61, 0.62]),  # ties within groups
    ],
)
def test_one_way_anova_edge_cases_equal_f_oneway(groups: tuple[list[float], ...]) -> None:
    arrays = [np.array(group) for group in groups]
    direct = sps.f_oneway(*arrays)
    f_value, p_value = one_way_anova(*arrays)
    assert _same(f_value, float(direct.statistic)) and _same(p_value, float(direct.pvalue))


@pytest.mark.parametrize(
    ("f_value", "dfn", "dfd"),
    [(3.0, 2, 5), (0.0, 2, 5), (-1e-17, 2, 5), (1e-6, 1, 600), (40.0, 24, 576), (np.inf, 3, 4),
     (np.nan, 2, 5), (1.0, 0, 5), (1.0, 2, 0)],
)
def test_f_survival_equals_f_sf(f_value: float, dfn: float, dfd: float) -> None:
    assert _same(f_survival(f_value, dfn, dfd), float(sps.f.sf(f_value, dfn, dfd)))


@pytest.mark.parametrize("axis", [0, 1])
def test_average_ranks_equal_rankdata_with_ties(rng: np.random.Generator, axis: int) -> None:
    values = np.round(rng.normal(0.6, 0.05, (40, 7)), 2)  # rounded: many ties
    values[:, 3] = 0.5  # one column entirely tied
    assert np.array_equal(average_ranks(values, axis=axis), sps.rankdata(values, axis=axis))


def test_average_ranks_of_a_vector_and_of_nothing() -> None:
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]
    assert average_ranks(np.array([])).shape == (0,)


def test_stats_command_does_not_import_scipy_stats(small_sweep: Path) -> None:
    script = (
        "import sys\n"
        "from seedtui.cli import main\n"
        f"sys.argv = ['seedtui', 'stats', {str(small_sweep)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert '"n_trials": 12' in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
