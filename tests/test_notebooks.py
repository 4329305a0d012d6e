"""The analyst notebooks run top to bottom on the generated region and stay thin and clean."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300
MAX_FUNCTION_STATEMENTS = 3
"""Glue in a notebook may be a tiny function; anything longer belongs in the package."""


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _parse(source: str, path: Path) -> ast.Module:
    """A code cell as Python; IPython magics and shell lines are blanked out."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError as error:
        pytest.fail(f"{path.name}: a code cell is not valid Python: {error}")


def _execute(path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFORCE_DATA", str(data_dir))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}")


@pytest.fixture(scope="module")
def notebook_data(
    region: Path, region_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A data folder laid out as after ``make run``: raw files, staging, builds and marts."""
    data_dir = tmp_path_factory.mktemp("notebook_data")
    shutil.copytree(region_data, data_dir, symlinks=True, dirs_exist_ok=True)
    shutil.copytree(region, data_dir / "raw")
    return data_dir


def test_there_are_notebooks() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert "01-getting-started.ipynb" in names, names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom(
    path: Path, notebook_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _execute(path, notebook_data, monkeypatch)


@pytest.mark.slow
def test_getting_started_builds_the_region_in_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone has no marts: the first notebook generates, ingests and builds them."""
    data_dir = tmp_path / "data"
    _execute(NOTEBOOKS_DIR / "01-getting-started.ipynb", data_dir, monkeypatch)
    marts = {path.stem for path in (data_dir / "marts").glob("*.parquet")}
    assert {"workforce_monthly", "mobility", "demand"} <= marts
    assert (data_dir / "raw" / "manifest.json").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_thin(path: Path) -> None:
    """No classes and no functions beyond a few lines: logic lives in the package, tested there."""
    problems = []
    for number, cell in enumerate(_code_cells(path), start=1):
        for node in ast.walk(_parse(cell.source, path)):
            if isinstance(node, ast.ClassDef):
                problems.append(f"code cell {number} defines class {node.name}")
            elif (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and len(node.body) > MAX_FUNCTION_STATEMENTS
            ):
                problems.append(
                    f"code cell {number} defines {node.name}() with {len(node.body)} statements"
                )
    assert not problems, f"{path.name}: move this into the workforce package: {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    unclean = [
        number
        for number, cell in enumerate(_code_cells(path), start=1)
        if cell.outputs or cell.execution_count is not None
    ]
    assert not unclean, (
        f"{path.name}: code cells {unclean} have outputs or execution counts; clear them "
        f"(JupyterLab: Edit > Clear Outputs of All Cells, or "
        f"`jupyter nbconvert --clear-output --inplace {path.relative_to(NOTEBOOKS_DIR.parent)}`)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_valid_and_uses_the_python3_kernel(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernel must be python3, so that it runs in any Jupyter with the package"
    )


def test_a_class_in_a_notebook_is_caught(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("class Helper:\n    pass"),
        nbformat.v4.new_code_cell("def long(x):\n    a = x\n    b = a\n    c = b\n    return c"),
    ]
    path = tmp_path / "bad.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(AssertionError, match=r"class Helper.*long\(\) with 4 statements"):
        test_notebook_is_thin(path)
