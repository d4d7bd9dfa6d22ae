"""Running the docs' notebooks in the suite: one way, for every notebook test.

:func:`run_notebook` executes a notebook top to bottom in a real Jupyter kernel (nbclient),
in a scratch folder so that it never writes next to the docs, and returns what its code
cells printed and showed.  :func:`assert_stored_without_outputs` checks the committed file
carries no outputs (they would go stale, and make every diff noisy).  nbformat, nbclient,
ipykernel and matplotlib come with the ``test`` extra; a test module calls
:func:`require_jupyter` first, which skips it where they are missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
#: The longest a whole notebook may run, in seconds.
TIMEOUT = 600


def require_jupyter() -> None:
    """Skip the calling test module unless a notebook can be executed here."""
    for module in ("nbformat", "nbclient", "ipykernel", "matplotlib"):
        pytest.importorskip(module)


@dataclass(frozen=True)
class Outputs:
    """What a notebook's code cells produced, in cell order."""

    outputs: tuple[Any, ...]

    @property
    def errors(self) -> list[Any]:
        """The error outputs (an exception raised in a cell)."""
        return [o for o in self.outputs if o.output_type == "error"]

    @property
    def images(self) -> list[Any]:
        """The outputs that show a PNG image (a plot)."""
        return [o for o in self.outputs if "image/png" in o.get("data", {})]

    @property
    def text(self) -> str:
        """Everything printed (the stream outputs), joined."""
        return "".join(o.get("text", "") for o in self.outputs if o.output_type == "stream")

    @property
    def html(self) -> str:
        """Every HTML output (a DataFrame shown as a table), joined."""
        return "".join(o.get("data", {}).get("text/html", "") for o in self.outputs)


def run_notebook(path: Path, folder: Path) -> Outputs:
    """Execute the notebook at ``path`` in a kernel whose working folder is ``folder``."""
    nbformat = importlib.import_module("nbformat")
    nbclient = importlib.import_module("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return Outputs(
        tuple(o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    )


def assert_stored_without_outputs(path: Path) -> None:
    """The committed notebook has code, no outputs, no execution counts, a python3 kernel."""
    notebook = importlib.import_module("nbformat").read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    assert notebook.metadata.kernelspec.name == "python3"
