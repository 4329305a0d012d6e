"""The training-alignment dashboard without a browser: the package's advice, filters, downloads."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.dashboards.main_pages import MainPagesData, main_pages_data
from workforce.alignment import advise_intake
from workforce.alignment.spreadsheet import ADVICE_HEADERS
from workforce.alignment.stored import (
    DefaultAdvice,
    observed_hires,
    read_default_advice,
    write_default_advice,
)
from workforce.dashboards.format import (
    Language,
    format_interval_words,
    format_number,
    signed_amount,
)
from workforce.dashboards.training_alignment import TrainingAlignmentApp
from workforce.dashboards.training_alignment_data import AdviceSource
from workforce.outlook.outlook import Outlook


@pytest.fixture(scope="session")
def main_data(region_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> MainPagesData:
    return main_pages_data(region_forecast, tmp_path_factory)


@pytest.fixture(scope="module")
def outlook(main_data: MainPagesData) -> Outlook:
    return Outlook.load(main_data.data_dir / "forecasts" / "outlook")


@pytest.fixture(scope="module")
def source(outlook: Outlook) -> AdviceSource:
    return AdviceSource.of(outlook)


@pytest.fixture
def app(main_data: MainPagesData, source: AdviceSource) -> TrainingAlignmentApp:
    marts = main_data.data_dir / "marts"
    return TrainingAlignmentApp(
        source=source,
        pipeline=pl.read_parquet(marts / "education_pipeline.parquet"),
        graduations=pl.read_parquet(marts / "graduations.parquet"),
    )


def test_a_page_built_without_charts_shows_its_tiles_first(
    app: TrainingAlignmentApp, source: AdviceSource
) -> None:
    first = TrainingAlignmentApp(source=source, charts=False)
    assert [t.value for t in first.tiles.values()] == [t.value for t in app.tiles.values()]
    assert first.gap_plot.outputs == ()  # no chart, table or download built yet
    assert first.table.value == ""
    assert first.downloads.value == ""
    first.draw_charts()
    assert first.gap_plot.outputs == app.gap_plot.outputs
    links = first.downloads.value.count("wf-download")
    assert links == app.downloads.value.count("wf-download") > 0


def _largest_gap(app: TrainingAlignmentApp) -> str:
    assert app.advice is not None
    advised = set(app.advice.table["profession_code"].to_list())
    gaps = app.advice.gaps.filter(pl.col("profession_code").is_in(list(advised)))
    return str(gaps.sort("gap_persons", descending=True)["profession_code"][0])


def test_the_advice_is_the_packages(app: TrainingAlignmentApp, outlook: Outlook) -> None:
    expected = advise_intake(outlook)
    assert app.advice is not None
    assert app.advice.horizon_year == expected.horizon_year
    assert_frame_equal(app.advice.table, expected.table)
    assert_frame_equal(app.advice.gaps, expected.gaps)
    assert app.headlines is not None
    assert app.headlines.extra_intake == pytest.approx(
        expected.table["extra_intake_per_year"].sum()
    )
    assert app.headlines.first_step == pytest.approx(
        expected.table["first_year_extra_intake"].sum()
    )
    assert app.headlines.advised_rows == expected.table.height
    assert sum(app.headlines.statuses.values()) == expected.table.height


def test_the_tiles_lead_with_the_feasible_step_and_show_the_whole_need_beside_it(
    app: TrainingAlignmentApp,
) -> None:
    """What a committee can do next year first, the whole need as context: the step stays
    within the growth limit, so it is far below what the whole gap would take."""
    assert app.advice is not None
    table = app.advice.table
    step = app.tiles["first_step"].value
    assert format_number(table["first_year_extra_intake"].sum()) + " studenten" in step
    assert f"Haalbare extra instroom in {table['first_cohort'].min()}" in step
    assert (
        "wat het hele tekort zou vragen: " + format_number(table["extra_intake_per_year"].sum())
        in step
    )
    assert (table["first_year_extra_intake"] <= 0.2 * table["current_intake"] + 1e-9).all()
    counts = table["status"].value_counts()
    feasible = dict(counts.iter_rows()).get("feasible", 0)
    status = app.tiles["status"].value
    assert f"{format_number(feasible)} van {format_number(table.height)}" in status
    assert "niet met opleiden alleen" in status
    assert "20% per jaar" in app.tiles["remaining_gap"].value
    assert "haalbare stap" in app.help.value, "the page explains what feasible means"


def test_choosing_a_profession_shows_its_gap_advice_and_graduates(
    app: TrainingAlignmentApp,
) -> None:
    profession = _largest_gap(app)
    before = list(app.figure.data[1].y)
    app.profession.value = profession
    assert app.advice is not None
    gap = app.advice.gaps.filter(pl.col("profession_code") == profession).row(0, named=True)
    tile = app.tiles["gap"].value
    assert signed_amount(gap["gap_persons"], "persons") in tile
    interval = format_interval_words(gap["gap_persons_lo_80"], gap["gap_persons_hi_80"], "persons")
    assert interval in tile

    rows = app.advice.table.filter(pl.col("profession_code") == profession)
    assert app.advice_rows()["rank"].to_list() == rows["rank"].to_list()
    assert format_number(rows["first_year_extra_intake"].sum()) in app.tiles["first_step"].value
    assert format_number(rows["extra_intake_per_year"].sum()) in app.tiles["first_step"].value
    shown_ranks = re.findall(r"<tr><td[^>]*>(\d+)</td>", app.table.value)
    assert [int(r) for r in shown_ranks] == rows["rank"].to_list()

    # Extra graduates are the advice's, per graduation year, up to the horizon.
    by_year = app.advice.by_year.join(
        rows.select("programme_code", "institution_code"),
        on=["programme_code", "institution_code"],
    ).filter(pl.col("graduation_year") <= app.advice.horizon_year)
    extra = dict(zip(app.figure.data[1].x, app.figure.data[1].y, strict=True))
    assert sum(extra.values()) == pytest.approx(by_year["extra_graduates"].sum())
    assert list(app.figure.data[1].y) != pytest.approx(before)

    colours = list(app.gap_figure.data[0].marker.color)
    assert len(set(colours)) == 2  # the chosen profession stands out


def test_running_cohorts_graduate_over_several_years_not_all_next_year(
    app: TrainingAlignmentApp, main_data: MainPagesData
) -> None:
    """The expected graduates of running cohorts follow the graduations mart: the first future
    year holds what is due then, not every running cohort at once, and graduates so far are not
    counted again."""
    assert app.advice is not None
    graduations = pl.read_parquet(main_data.data_dir / "marts" / "graduations.parquet")
    cells = app.advice.table.select("programme_code", "institution_code").unique()
    running = (
        graduations.join(cells, on=["programme_code", "institution_code"])
        .group_by("graduation_year")
        .agg(pl.sum("expected_graduates"))
    )
    from_running = dict(zip(running["graduation_year"], running["expected_graduates"], strict=True))
    shown = dict(zip(app.figure.data[0].x, app.figure.data[0].y, strict=True))
    first = min(shown)
    assert shown[first] == pytest.approx(from_running[first])
    assert len([year for year in from_running if year <= app.advice.horizon_year]) >= 3
    assert shown[first] < 2 * shown[first + 1]


def test_a_later_horizon_gives_the_packages_advice_for_that_year(
    app: TrainingAlignmentApp, outlook: Outlook
) -> None:
    assert app.advice is not None
    later = str(app.advice.horizon_year + 2)
    app.horizon_year.value = later
    expected = advise_intake(outlook, horizon_year=int(later))
    assert_frame_equal(app.advice.table, expected.table)
    assert later in app.tiles["gap"].value


def _download(app: TrainingAlignmentApp, suffix: str) -> bytes:
    match = re.search(
        rf"download='[^']*{suffix}' href='data:[^']+?;base64,([^']+)'", app.downloads.value
    )
    assert match, app.downloads.value[:300]
    return base64.b64decode(match.group(1))


def test_the_advice_downloads_as_csv_and_excel(app: TrainingAlignmentApp) -> None:
    assert app.advice is not None
    payload = _download(app, ".csv")
    assert payload.startswith(b"\xef\xbb\xbf")  # Dutch Excel reads UTF-8 only with the mark
    table = pl.read_csv(io.BytesIO(payload), separator=";", infer_schema_length=None)
    columns = [c for c in ADVICE_HEADERS if c in app.advice.table.columns or c == "profession_name"]
    expected = [
        ADVICE_HEADERS[c][Language.nl]
        for c in columns
        if c not in ("advice_en", "feasibility_en", "assumptions")
    ]
    assert table.columns == expected
    assert not table["Beroep"].str.contains("_").any()
    assert table.height == app.advice.table.height
    assert table["Wat het hele tekort zou vragen: extra studenten per jaar"].to_list() == (
        app.advice.table["extra_intake_per_year"].round(0).cast(pl.Int64).to_list()
    )
    completion = table["Studenten die een diploma halen (%)"].cast(pl.String).drop_nulls()
    assert completion.str.contains(r"^\d+(,\d)?$").all()  # a decimal comma
    workbook = zipfile.ZipFile(io.BytesIO(_download(app, ".xlsx")))
    sheets = workbook.read("xl/workbook.xml").decode()
    for sheet in ("advies", "per cohortjaar", "tekort per beroep"):
        assert f'name="{sheet}"' in sheets


def test_placements_cap_the_advice_shown(outlook: Outlook, source: AdviceSource) -> None:
    first = source.advise(source.default_year, "median")
    assert first is not None
    row = first.table.filter(pl.col("route") == "initial").row(0, named=True)
    placements = pl.DataFrame(
        {
            "programme_code": [row["programme_code"]],
            "institution_code": [row["institution_code"]],
            "year": [row["first_cohort"]],
            "placements": [row["current_intake"] + 1.0],
        }
    )
    app = TrainingAlignmentApp(source=AdviceSource.of(outlook, placements), placements=placements)
    assert app.advice is not None
    capped = app.advice.table.filter(
        (pl.col("programme_code") == row["programme_code"])
        & (pl.col("institution_code") == row["institution_code"])
    ).row(0, named=True)
    assert capped["placement_cap_per_year"] == pytest.approx(1.0)
    assert capped["first_year_extra_intake"] == 1
    assert capped["remaining_gap_persons"] > row["remaining_gap_persons"]
    assert "Zonder opgegeven stageplaatsen" not in app.tiles["remaining_gap"].value


def test_completion_and_dropout_come_from_finished_cohorts(
    app: TrainingAlignmentApp, main_data: MainPagesData
) -> None:
    pipeline = pl.read_parquet(main_data.data_dir / "marts" / "education_pipeline.parquet")
    finished = pipeline.filter(pl.col("finished"))
    year = int(finished["cohort_year"].min())
    cohort = finished.filter(pl.col("cohort_year") == year)
    trace = dict(zip(app.pipeline_figure.data[0].x, app.pipeline_figure.data[0].y, strict=True))
    assert trace[year] == pytest.approx(cohort["graduates"].sum() / cohort["intake"].sum())
    assert max(app.pipeline_figure.data[1].x) <= finished["cohort_year"].max()


def test_missing_outlook_shows_geen_gegevens(tmp_path: Path) -> None:
    app = TrainingAlignmentApp.from_data_dir(tmp_path)
    assert "geen gegevens" in app.notice.value
    assert "geen gegevens" in app.table.value
    assert app.gap_figure.layout.title.text == "geen gegevens"
    assert app.downloads.value == ""


def test_the_page_shows_where_graduates_go_and_why_advice_falls_short(
    main_data: MainPagesData, source: AdviceSource
) -> None:
    from workforce.dashboards.training_alignment_data import destinations_of

    destinations = destinations_of(main_data.data_dir, source.origin_year)
    assert destinations is not None
    app = TrainingAlignmentApp(source=source, destinations=destinations)
    hired, kept = app.destinations_figure.data
    assert len(hired.x) > 5
    assert all(k <= h + 1e-9 for h, k in zip(hired.x, kept.x, strict=True))
    assert "Verzorgende-IG" in hired.y
    assert "niet te sluiten met opleiden alleen" in app.table.value
    assert "de rest vraagt behoud, andere instroom of anders werken" in app.table.value
    assert "huisartsopleiding" in app.table.value
    assert "_training" not in app.table.value, "training routes by name, without codes"
    shown = destinations.filter(~pl.col("suppressed"))
    assert (shown["hires"] >= 10).all()


def test_all_three_charts_follow_each_filter(app: TrainingAlignmentApp) -> None:
    from workforce.dashboards.app import shown_figure

    plots = {
        "gap": (app.gap_plot, app.gap_figure),
        "graduates": (app.graduates_plot, app.figure),
        "pipeline": (app.pipeline_plot, app.pipeline_figure),
    }

    def titles() -> dict[str, str]:
        shown = {}
        for name, (output, figure) in plots.items():
            data = shown_figure(output)
            assert data is not None
            assert data["data"] == json.loads(figure.to_json())["data"]
            shown[name] = data["layout"]["title"]["text"]
        return shown

    before = titles()
    profession = _largest_gap(app)
    app.profession.value = profession
    after = titles()
    name = app.profession.label
    assert all(name in title for title in after.values()), after
    assert all(after[key] != before[key] for key in plots)
    app.profession.index = 0  # every profession
    app.institution.index = 1
    institution = titles()
    assert app.institution.label in institution["graduates"]
    assert app.institution.label in institution["pipeline"]
    years = [value for _, value in app.horizon_year.options]
    app.horizon_year.value = years[-1] if app.horizon_year.value != years[-1] else years[0]
    assert str(app.horizon_year.value) in titles()["gap"]


def test_the_english_switch_relabels_the_page_and_keeps_the_choice(
    app: TrainingAlignmentApp,
) -> None:
    profession = _largest_gap(app)
    app.profession.value = profession
    app.language_switch.value = Language.en.value
    assert app.profession.value == profession
    assert app.profession.label == app.names.get(profession, "en")
    assert app.horizon_year.description == "Horizon year"
    assert "Gap in" in app.tiles["gap"].value
    assert " persons" in app.tiles["gap"].value
    assert app.gap_figure.layout.title.text.startswith("Gap per profession")
    assert "Source:" in app.source_line.value
    assert "Intake advice per programme" in app.table.value


def test_the_page_opens_on_the_stored_advice_which_equals_a_fresh_computation(
    main_data: MainPagesData, outlook: Outlook
) -> None:
    """The default advice the forecast stored is what the page shows, unchanged from what the
    package computes afresh on the same outlook, placements and graduate hires."""
    source = AdviceSource.from_data_dir(main_data.data_dir)
    assert source is not None
    assert source.stored_default
    app = TrainingAlignmentApp(source=source, charts=False)
    fresh = DefaultAdvice.of(main_data.data_dir, outlook).compute()
    assert app.advice is not None
    for name in ("table", "by_year", "gaps"):
        assert_frame_equal(getattr(app.advice, name), getattr(fresh, name))
    hires = observed_hires(main_data.data_dir, outlook.origin)
    again = TrainingAlignmentApp(source=AdviceSource.of(outlook, observed=hires))
    assert [t.value for t in app.tiles.values()] == [t.value for t in again.tiles.values()]


def test_a_new_outlook_or_new_placements_make_the_stored_advice_stale(
    main_data: MainPagesData, outlook: Outlook, tmp_path: Path
) -> None:
    """A stored advice is shown only for the outlook and inputs it was computed from."""
    import shutil

    folder = tmp_path / "data"
    for name in ("marts", "forecasts", "alignment"):
        shutil.copytree(main_data.data_dir / name, folder / name)
    key = DefaultAdvice.of(folder, outlook).key
    assert read_default_advice(folder, key) is not None
    placements = folder / "placements.csv"
    row = outlook.supply_inputs.cohorts.frame.filter(pl.col("future")).row(0, named=True)
    placements.write_text(
        "programme_code,institution_code,year,placements\n"
        f"{row['programme_code']},{row['institution_code']},{row['cohort_year']},1\n"
    )
    assert DefaultAdvice.of(folder, outlook).key != key
    source = AdviceSource.from_data_dir(folder)
    assert source is not None
    assert not source.stored_default, "new placements: the advice is computed afresh"
    placements.unlink()
    assert AdviceSource.from_data_dir(folder).stored_default  # type: ignore[union-attr]
    outlook.save(folder / "forecasts" / "outlook")  # a new `workforce forecast`
    assert DefaultAdvice.of(folder, outlook).key["outlook"] != key["outlook"]
    source = AdviceSource.from_data_dir(folder)
    assert source is not None
    assert not source.stored_default
    write_default_advice(folder)
    assert AdviceSource.from_data_dir(folder).stored_default  # type: ignore[union-attr]
