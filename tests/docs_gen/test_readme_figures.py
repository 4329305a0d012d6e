"""The README's figures are the generated reports' figures."""

from __future__ import annotations

from workforce.docs_gen.readme_figures import ROOT, accuracy_lines, backtest_lines, block, updated


def test_readme_figures_are_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert block() in readme, (
        "README figures are stale: run python -m workforce.docs_gen.readme_figures"
    )


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


def test_backtest_lines_are_the_summary_of_the_page() -> None:
    report = (
        "# Outlook backtest\n\nIntro.\n\n## Summary\n\n"
        "- Shortage per region:\n"
        "  - Midden-Utrecht: -10% to +5% 1 year ahead.\n"
        "- Calibrated intervals: 78% to 84% inside the 80 % interval.\n\n"
        "## The region per origin\n\n- not a summary line\n"
    )
    assert backtest_lines(report) == [
        "- Shortage per region:",
        "  - Midden-Utrecht: -10% to +5% 1 year ahead.",
        "- Calibrated intervals: 78% to 84% inside the 80 % interval.",
    ]


def test_updating_replaces_only_the_block() -> None:
    text = "intro\n" + block() + "\noutro\n"
    assert updated(text, "NEW") == "intro\nNEW\noutro\n"
