"""The tour notebook runs from top to bottom with the current code, so it can never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from notebooks import NOTEBOOKS, assert_stored_without_outputs, require_jupyter, run_notebook

require_jupyter()

NOTEBOOK = NOTEBOOKS / "tour.ipynb"


@pytest.mark.slow
def test_tour_notebook_executes_without_error(tmp_path: Path) -> None:
    run = run_notebook(NOTEBOOK, tmp_path)
    assert not run.errors
    assert run.images  # the aged-balance chart
    assert "Mise en demeure de payer" in run.text


def test_tour_notebook_is_stored_without_outputs() -> None:
    assert_stored_without_outputs(NOTEBOOK)
