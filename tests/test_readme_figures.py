"""The README's figures are the generated reports' figures."""

from __future__ import annotations

from workforce.readme_figures import ROOT, accuracy_lines, backtest_lines, block, updated


def test_readme_figures_are_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert block() in readme, "README figures are stale: run python -m workforce.readme_figures"


def test_accuracy_lines_name_each_group() -> None:
    report = (
        "### Open vacancies (80472ned: Q)\n\n| table |\n\n"
        "Engine MASE 1.299: +0.8% versus naive (1.311). Positive means better.\n"
        "### All series\n\nEngine MASE 1.4: +4.3% versus naive (1.48). Positive means better.\n"
    )
    assert accuracy_lines(report) == [
        "- Open vacancies: Engine MASE 1.299: +0.8% versus naive (1.311).",
        "- All series: Engine MASE 1.4: +4.3% versus naive (1.48).",
    ]


def test_backtest_lines_read_the_last_year() -> None:
    report = (
        "Origin: December 2021; ...\n"
        "| 2022 | 10 | 11 | +10.0% | 1% | 2% | 80% | 5 | 4 | 1 to 9 | 90% | 99% |\n"
        "| 2023 | 20 | 19 | -5.0% | 1% | 2% | 81% | 6 | 5 | 2 to 8 | 79% | 95% |\n"
    )
    first, second = backtest_lines(report)
    assert "December 2021 for 2023: 19 people against 20 (-5.0%); 81%" in first
    assert "2 to 8 FTE against 6 realised; 79%" in second


def test_updating_replaces_only_the_block() -> None:
    text = "intro\n" + block() + "\noutro\n"
    assert updated(text, "NEW") == "intro\nNEW\noutro\n"
