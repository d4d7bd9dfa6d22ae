"""The insight notebook runs from top to bottom with the current code, so it can never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from notebooks import NOTEBOOKS, assert_stored_without_outputs, require_jupyter, run_notebook

require_jupyter()

NOTEBOOK = NOTEBOOKS / "insight.ipynb"


@pytest.mark.slow
def test_insight_notebook_executes_without_error(tmp_path: Path) -> None:
    run = run_notebook(NOTEBOOK, tmp_path)
    assert not run.errors
    assert len(run.images) == 4  # DSO, aging, cash-in forecast, policy comparison
    assert "DSO count-back:" in run.text
    assert "sans appel" in run.html
    assert "non échu" in run.html


def test_insight_notebook_is_stored_without_outputs() -> None:
    assert_stored_without_outputs(NOTEBOOK)
