"""Training alignment: the advice closes what it claims through the supply projection, grows
no faster than placements or the growth limit allow, and says so in plain words when not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.scenario_frames import small_outlook
from workforce.alignment import (
    AlignmentError,
    CapacityError,
    advise_intake,
    gap_at_horizon,
    read_placements,
    write_advice,
)
from workforce.alignment.advice import Advice, plan_intake
from workforce.alignment.capacity import growth_caps
from workforce.cli import app
from workforce.language import Language
from workforce.outlook.outlook import Outlook
from workforce.reference import load_reference
from workforce.scenario import horizon_index
from workforce.supply.projection import SupplyLevers

PATHS = 200
OUTLOOK = small_outlook()


def _with_advice(outlook: Outlook, advice: Advice) -> np.ndarray:
    """Intake factor per cohort row that carries the advised (capped) extra students."""
    rows = outlook.supply_inputs.cohorts.frame.with_row_index("row")
    # A programme that feeds two professions is listed once per profession with one intake.
    extra = advice.by_year.group_by("programme_code", "institution_code", "cohort_year").agg(
        pl.col("extra_intake_capped").max()
    )
    joined = rows.join(
        extra, on=["programme_code", "institution_code", "cohort_year"], how="left"
    ).sort("row")
    factor = 1 + joined["extra_intake_capped"].fill_null(0.0) / joined["intake"]
    return np.where(joined["future"].to_numpy(), factor.to_numpy(), 1.0)


def _gaps_after(outlook: Outlook, advice: Advice, years: list[int]) -> dict[int, pl.DataFrame]:
    periods = np.array([horizon_index(outlook, y) for y in years])
    levers = SupplyLevers(intake_factor=_with_advice(outlook, advice))
    result = outlook.compute(levers, paths=PATHS, periods=periods)
    return {
        y: gap_at_horizon(outlook, result, horizon_index(outlook, y)).sort("profession_code")
        for y in years
    }


def test_an_uncapped_advice_closes_the_gap_at_the_horizon_and_keeps_it_closed() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2031, paths=PATHS, growth_limit=10)
    assert (advice.table["feasibility"] == "").all()
    before = advice.gaps.sort("profession_code")
    assert (before["gap_persons"] > 50).all()
    after = _gaps_after(OUTLOOK, advice, [2031, 2032, 2033])
    for year, gaps in after.items():
        assert (gaps["gap_persons"] < 0.1 * before["gap_persons"]).all(), year


def test_a_capped_advice_closes_what_it_claims_and_reports_the_rest() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2031, paths=PATHS)
    gaps = advice.gaps.sort("profession_code")
    assert (gaps["unmet_persons"] > 1).all(), "20 % a year cannot close these gaps by 2031"
    closed = gaps["gap_persons"] - _gaps_after(OUTLOOK, advice, [2031])[2031]["gap_persons"]
    assert np.allclose(closed, gaps["delivered_persons"], rtol=0.15, atol=2)
    assert np.allclose(
        gaps["delivered_persons"] + gaps["unmet_persons"], gaps["gap_persons"].clip(0), atol=1e-6
    )


def test_the_lasting_intake_by_hand() -> None:
    unit = {"nominal_years": 3, "completion": 0.5, "entering_share": 0.8}
    needs = {key: {2029: 10.0, 2030: 12.0} for key in ("", "_lo_80", "_hi_80")}
    cohorts = [2026, 2027]
    free = plan_intake(unit, needs, 0.9, cohorts, [2029, 2030], 2029, [1e9, 1e9])
    # One cohort (2026) works in 2029: 0.5 x 0.8 x 0.9 ** 0.5 = 0.3795 per student, so
    # 10 / 0.3795 = 26.4 -> 27; in 2030 two cohorts: 0.4 x (0.9 ** 1.5 + 0.9 ** 0.5) = 0.7210,
    # 12 / 0.7210 = 16.6, so 2029 binds.
    assert free.extra == 27
    assert free.delivered[2029] == pytest.approx(27 * 0.4 * 0.9**0.5)
    assert free.unmet[2029] == 0
    caps = growth_caps(100, cohorts, 2025, 0.2)
    assert caps == [20, 44]
    capped = plan_intake(unit, needs, 0.9, cohorts, [2029, 2030], 2029, caps)
    assert capped.schedule == [20, 27]
    assert capped.unmet[2029] == pytest.approx(10 - 20 * 0.4 * 0.9**0.5)
    # From 2030 on, 17 a year is enough (12 / 0.7210 = 16.6) and fits under both caps.
    assert capped.earliest_year == 2030


def test_no_row_grows_faster_than_the_limit_without_saying_why() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2031, paths=PATHS)
    table = advice.table
    assert (table["first_year_extra_intake"] <= 0.2 * table["current_intake"] + 1e-9).all()
    fast = table.filter(pl.col("extra_intake_pct") > 0.25)
    assert fast.height > 0
    assert (fast["feasibility"].str.contains("20 %")).all()
    for sentence in table["advice_nl"]:
        assert "_" not in sentence
        assert "34560" not in sentence
        assert "25656" not in sentence
    assert table["extra_intake_per_year"].to_list() == [
        round(x) for x in table["extra_intake_per_year"]
    ]
    # A row that education alone cannot close in time leads with the feasible first step and
    # never promises to close the gap.
    for row in table.filter(pl.col("remaining_gap_persons") > 0.5).iter_rows(named=True):
        sentence = row["advice_nl"]
        step = f"kan in {row['first_cohort']} {row['first_year_extra_intake']:.0f} studenten meer"
        assert step in sentence
        assert sentence.index(step) < sentence.index("Wat het hele tekort zou vragen")
        assert "te sluiten en dicht te houden" not in sentence


def test_each_row_says_whether_training_can_close_its_gap_and_when() -> None:
    """The status follows what the capped intake leaves open: closed at the horizon and kept
    closed, closed N years after the origin, or not by training alone within the projection;
    the first step stays within the growth limit."""
    seen = set()
    for year, limit in ((2029, 1.0), (2029, 10.0), (2031, 0.2)):
        advice = advise_intake(OUTLOOK, horizon_year=year, paths=PATHS, growth_limit=limit)
        table = advice.table
        origin = advice.origin.year
        seen |= set(table["status"])
        for row in table.iter_rows(named=True):
            assert row["first_year_extra_intake"] == min(
                row["extra_intake_per_year"], (limit * row["current_intake"]) // 1
            )
            if row["status"] == "feasible":
                assert row["remaining_gap_persons"] <= 0.5
            elif row["status"] == "feasible_later":
                assert row["earliest_year"] > year
                assert row["years_to_close"] == row["earliest_year"] - origin
                assert f"vanaf {row['earliest_year']} dicht." in row["advice_nl"]
            else:
                assert row["earliest_year"] is None
                assert "behoud, andere instroom of anders werken" in row["advice_nl"]
            if row["needed_persons"] > 0:
                closed = min(row["delivered_persons"] / row["needed_persons"], 1.0)
                assert row["closed_share"] == pytest.approx(closed)
        # Ranked by the step a committee can take next year.
        steps = table["first_year_extra_intake"].to_list()
        assert steps == sorted(steps, reverse=True)
    assert seen == {"feasible", "feasible_later", "not_by_training"}


def test_the_advice_file_reads_as_whole_people_and_plain_shares(tmp_path: Path) -> None:
    """The file a committee opens in Dutch Excel (``;`` between fields, decimal comma): Dutch
    headers, first what can be done next, whole people, shares as percentages, statuses in
    words, and no English sentences."""
    import csv

    advice = advise_intake(OUTLOOK, horizon_year=2031, paths=PATHS)
    path = write_advice(advice, tmp_path / "advice.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == advice.table.height
    assert header[:6] == [
        "Rang",
        "Opleiding",
        "Niveau",
        "Instelling",
        "Beroep",
        "Haalbaar met opleiden?",
    ]
    step = header.index("Haalbare stap: extra studenten in het eerste cohort")
    whole_need = header.index("Wat het hele tekort zou vragen: extra studenten per jaar")
    assert step < whole_need, "the feasible step comes before the whole need"
    assert not any("_" in name or "Engels" in name for name in header)
    assert "Advies" in header
    assert "Toelichting" in header
    by_name = [dict(zip(header, row, strict=True)) for row in body]
    table = advice.table.to_dicts()
    for written, row in zip(by_name, table, strict=True):
        assert written["Haalbaar met opleiden?"] in (
            "haalbaar",
            f"haalbaar in {row['years_to_close']} jaar",
            "niet te sluiten met opleiden alleen",
        )
        assert int(written["Haalbare stap: extra studenten in het eerste cohort"]) == round(
            row["first_year_extra_intake"]
        )
        percentage = float(written["Deel van het tekort gedicht (%)"].replace(",", "."))
        assert percentage == pytest.approx(round(100 * row["closed_share"], 1))
        assert int(written["Nog open in het horizonjaar (mensen)"]) == round(
            row["remaining_gap_persons"]
        )
        assert written["Advies"] == row["advice_nl"]
        assert row["advice_en"] not in written.values()


def test_a_stated_probability_asks_for_more_than_the_median() -> None:
    median = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS, growth_limit=10)
    likely = advise_intake(
        OUTLOOK, horizon_year=2032, target="probability", probability=0.9, paths=PATHS
    )
    joined = median.table.join(likely.table, on=["programme_code", "institution_code"])
    assert (joined["extra_intake_per_year_right"] > joined["extra_intake_per_year"]).all()
    assert (joined["extra_intake_per_year_lo_80"] <= joined["extra_intake_per_year"]).all()
    assert (joined["extra_intake_per_year"] <= joined["extra_intake_per_year_hi_80"]).all()


def test_a_horizon_before_any_cohort_can_graduate_says_so() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2028, paths=PATHS)
    assert advice.table.height == 2, "a 3-year programme from 2026 graduates in 2029"
    assert (advice.table["delivered_persons"] == 0).all()
    assert (advice.table["feasibility"].str.contains("onderwijs alleen")).all()
    assert (advice.table["feasibility_en"].str.contains("education alone")).all()
    with pytest.raises(AlignmentError, match="outside the projection"):
        advise_intake(OUTLOOK, horizon_year=2040, paths=PATHS)


def test_splitting_over_institutions_keeps_the_same_percentage() -> None:
    outlook = small_outlook(institution_intakes={"34560": (50.0, 150.0, 300.0), "25656": (80.0,)})
    table = advise_intake(outlook, horizon_year=2033, paths=50, growth_limit=10).table
    nurses = table.filter(pl.col("programme_code") == "34560").sort("current_intake")
    assert nurses.height == 3
    pct = nurses["extra_intake_per_year"] / nurses["current_intake"]
    assert pct.max() - pct.min() < 1 / 50 + 1e-9, "whole students: at most one apart per row"


def test_placements_cap_each_cohort(tmp_path: Path) -> None:
    caps = pl.DataFrame(
        {
            "programme_code": ["34560"] * 3,
            "institution_code": ["25DW"] * 3,
            "year": [2026, 2027, 2028],
            "placements": [105.0, 110.0, 120.0],
        }
    )
    capped = advise_intake(OUTLOOK, horizon_year=2033, paths=50, placements=caps)
    years = capped.by_year.filter(
        (pl.col("programme_code") == "34560") & pl.col("cohort_year").is_between(2026, 2028)
    ).sort("cohort_year")
    assert years["extra_intake_capped"].to_list() == [5, 10, 20]
    row = capped.table.filter(pl.col("programme_code") == "34560").row(0, named=True)
    assert row["placement_cap_per_year"] == 5, "105 places for an intake of 100"
    assert "stageplaatsen" in row["feasibility"]


def test_a_placements_file_is_checked_and_bad_rows_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "placements.csv"
    path.write_text("programme,year,places\n34560,2026,10\n")
    with pytest.raises(CapacityError, match="missing column"):
        read_placements(path)
    path.write_text(
        "programme_code,institution_code,year,placements\n"
        "34560,25DW,2026,400\n"
        "34560,25DW,2027,many\n"
        "99999,25DW,2027,10\n"
        "25656,25LH,2026,-5\n"
    )
    read = read_placements(path, tmp_path / "quarantine")
    assert read.frame.height == 1
    assert read.rows_read == read.frame.height + read.rejected["row_number"].n_unique()
    assert read.quarantine is not None
    assert read.quarantine.is_file()
    rejected = pl.read_csv(read.quarantine)
    assert sorted(rejected["row_number"].unique().to_list()) == [3, 4, 5]
    assert set(rejected["column"]) == {"placements", "programme_code"}


def test_the_sample_placements_file_is_clean() -> None:
    sample = Path(__file__).parents[2] / "data" / "samples" / "placements.csv"
    read = read_placements(sample)
    assert read.rejected.is_empty()
    assert read.frame.height > 10


def test_advice_exports_whole_students_with_route_and_feasibility(tmp_path: Path) -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS)
    write_advice(advice, tmp_path / "advice.csv")
    write_advice(advice, tmp_path / "advice.xlsx")
    from_csv = pl.read_csv(
        tmp_path / "advice.csv",
        separator=";",
        decimal_comma=True,
        schema_overrides={"Opleidingscode": pl.String},
    )
    for column in ("Rang", "Opleidingscode", "Instelling", "Toelichting", "Advies"):
        assert column in from_csv.columns
    assert from_csv["Wat het hele tekort zou vragen: extra studenten per jaar"].dtype.is_integer()
    assert set(from_csv["Soort opleiding"]) == {"opleiding"}
    assert from_csv["Beroep"].null_count() == 0
    from_excel = pl.read_excel(tmp_path / "advice.xlsx", sheet_name="advies")
    assert from_excel.height == advice.table.height
    for sheet, rows in (("per cohortjaar", advice.by_year), ("tekort per beroep", advice.gaps)):
        detail = pl.read_excel(tmp_path / "advice.xlsx", sheet_name=sheet)
        assert detail.height == rows.height, sheet
        assert not [name for name in detail.columns if "_" in name], sheet
        assert detail["Beroep"].null_count() == 0, "every profession by its name"
    english = pl.read_excel(
        write_advice(advice, tmp_path / "advice_en.xlsx", Language.en), sheet_name="advice"
    )
    assert "Feasible step: extra students in the first cohort" in english.columns
    assert "Advice" in english.columns
    assert "Advies" not in english.columns
    with pytest.raises(AlignmentError, match=r"\.csv or \.xlsx"):
        write_advice(advice, tmp_path / "advice.json")


def test_on_the_region_each_profession_gets_what_the_advice_claims(region_forecast: Path) -> None:
    """Initial intake and training places, fed through completion, entry and retention of the
    supply projection, close the part of each profession's 2030 gap the advice says they do."""
    from dataclasses import replace

    from workforce.supply.inputs import with_training_places

    outlook = Outlook.load(region_forecast / "forecasts" / "outlook")
    advice = advise_intake(outlook, horizon_year=2030, paths=100)
    routes = advice.table.filter(pl.col("route") == "post-initial")
    assert {"general_practitioner", "medical_doctor"} <= set(routes["profession_code"])
    places = advice.by_year.filter(pl.col("route") == "post-initial").join(
        routes.select("programme_code", "completion"), on="programme_code"
    )
    inputs = with_training_places(
        outlook.supply_inputs,
        places.select(
            "programme_code",
            "profession_code",
            "cohort_year",
            "graduation_year",
            "completion",
            extra="extra_intake_capped",
        ),
    )
    factor = np.ones(inputs.cohorts.frame.height)
    factor[: outlook.supply_inputs.cohorts.frame.height] = _with_advice(outlook, advice)
    trained = replace(outlook, supply_inputs=inputs)
    index = horizon_index(outlook, 2030)
    result = trained.compute(
        SupplyLevers(intake_factor=factor), paths=100, periods=np.array([index])
    )
    after = gap_at_horizon(trained, result, index).select("profession_code", after="gap_persons")
    check = advice.gaps.join(after, on="profession_code").filter(pl.col("delivered_persons") > 5)
    assert check.height >= 10
    closed = (check["gap_persons"] - check["after"]).to_numpy()
    claimed = check["delivered_persons"].to_numpy()
    shown = check.select("profession_code", "gap_persons", "after", "delivered_persons")
    # Never less than claimed; more where a programme advised for one profession also sends
    # graduates to another (the advice leaves those out).
    assert (closed >= 0.8 * claimed - 3).all(), shown
    shared = set(
        load_reference().programme_professions.filter(pl.col("programme_code").is_duplicated())[
            "profession_code"
        ]
    )
    alone = ~check["profession_code"].is_in(list(shared)).to_numpy()
    assert alone.sum() >= 8
    assert np.allclose(closed[alone], claimed[alone], rtol=0.2, atol=3), shown


def test_workforce_align_on_the_region(
    region_forecast: Path, tmp_path: Path, own_copy: Callable[[Path], Path]
) -> None:
    region_forecast = own_copy(region_forecast)  # the refused placement rows go to quarantine
    placements = tmp_path / "placements.csv"
    placements.write_text(
        "programme_code,institution_code,year,placements\n"
        + "".join(f"34560,25DW,{year},420\n" for year in range(2026, 2030))
        + "34560,25DW,2031,lots\n"
    )
    out = tmp_path / "advice.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "align",
            "--data-dir",
            str(region_forecast),
            "--models-dir",
            str(region_forecast / "models"),
            "--paths",
            "100",
            "--placements",
            str(placements),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 of 5 rows rejected" in result.output
    assert "Waar afgestudeerden gaan werken" in result.output
    assert "Begrensd" in result.output
    assert "niet te sluiten met opleiden alleen" in result.output
    assert "decision saved in" in result.output
    table = pl.read_excel(out, sheet_name="advies")
    post = table.filter(pl.col("Soort opleiding") == "vervolgopleiding")
    assert {"general_practitioner", "medical_doctor"} <= set(post["Beroepscode"])
    medicine = table.filter(pl.col("Opleidingscode").cast(pl.String) == "66551")
    assert medicine.is_empty(), "GP and specialist gaps are advised as training places"
    fast = table.filter(pl.col("Hele tekort: extra als % van de huidige instroom") > 25)
    assert (fast["Toelichting"].fill_null("") != "").all()
    destinations = pl.read_excel(out, sheet_name="bestemmingen")
    shown = destinations.filter(~pl.col("suppressed"))
    assert (shown["hires"] >= 10).all()
    wrong = CliRunner().invoke(
        app, ["align", "--data-dir", str(region_forecast), "--target", "mode", "--no-save"]
    )
    assert wrong.exit_code == 2
    assert "'mode' is not one of 'median', 'probability'" in wrong.output


def test_observed_entry_shares_need_enough_graduate_hires() -> None:
    observed = pl.DataFrame(
        {"profession_code": ["nurse_bachelor", "certified_carer"], "graduate_hires": [500, 5]}
    )
    table = advise_intake(OUTLOOK, horizon_year=2032, paths=50, observed=observed).table
    source = dict(table.select("profession_code", "entry_source").iter_rows())
    assert source == {"nurse_bachelor": "observed", "certified_carer": "reference"}
    carers = table.filter(pl.col("profession_code") == "certified_carer")
    reference_share = load_reference().programme_professions.filter(
        (pl.col("programme_code") == "25656") & (pl.col("profession_code") == "certified_carer")
    )["entry_share"][0]
    assert carers["entering_share"][0] == pytest.approx(reference_share)
    assert "(reference)" in carers["assumptions"][0]


# -- several regions --------------------------------------------------------------------------

REGIONS = small_outlook(regions={"AM13": 1.0, "AM14": 0.5, "AM12": 0.3})


def _region_gaps_after(advice: Advice, regions: list[str] | None, year: int) -> pl.DataFrame:
    periods = np.array([horizon_index(REGIONS, year)])
    levers = SupplyLevers(intake_factor=_with_advice(REGIONS, advice))
    result = REGIONS.compute(levers, paths=PATHS, periods=periods)
    index = horizon_index(REGIONS, year)
    return gap_at_horizon(REGIONS, result, index, regions=regions).sort("profession_code")


@pytest.mark.parametrize("regions", [None, ["AM14"], ["AM13", "AM12"]])
def test_an_advice_for_some_regions_closes_their_gap_together(regions: list[str] | None) -> None:
    advice = advise_intake(
        REGIONS, horizon_year=2031, paths=PATHS, growth_limit=10, regions=regions
    )
    assert advice.regions == tuple(sorted(regions or ["AM12", "AM13", "AM14"]))
    assert not advice.table.select("programme_code", "institution_code").is_duplicated().any()
    before = advice.gaps.sort("profession_code")
    assert (before["gap_persons"] > 5).all()
    assert (
        before["region_code"].to_list()
        == [regions[0] if regions and len(regions) == 1 else None] * 2
    )
    after = _region_gaps_after(advice, regions, 2031)
    assert (after["gap_persons"] < 0.1 * before["gap_persons"]).all()


def test_the_gap_of_the_regions_together_is_the_sum_of_theirs() -> None:
    result = REGIONS.compute(paths=PATHS, periods=np.array([horizon_index(REGIONS, 2031)]))
    index = horizon_index(REGIONS, 2031)
    together = gap_at_horizon(REGIONS, result, index).sort("profession_code")
    parts = [
        gap_at_horizon(REGIONS, result, index, regions=[code]).sort("profession_code")
        for code in ("AM13", "AM14", "AM12")
    ]
    summed = sum(part["gap_persons"].to_numpy() for part in parts)
    np.testing.assert_allclose(together["gap_persons"], summed, rtol=0.05)


def test_an_unknown_region_in_the_advice_is_a_clear_error() -> None:
    with pytest.raises(AlignmentError, match="region AM99 is not in this forecast"):
        advise_intake(REGIONS, paths=50, regions=["AM99"])


def test_workforce_align_for_one_region_names_it_in_dutch(tmp_path: Path) -> None:
    from workforce.store import Store

    REGIONS.save(Store(tmp_path).outlook)
    out = tmp_path / "advice.csv"
    result = CliRunner().invoke(
        app,
        [
            *("align", "--data-dir", str(tmp_path), "--paths", "50", "--no-save"),
            *("--out", str(out), "--region", "AM14", "--horizon-year", "2031"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Instroomadvies voor Amersfoort, 2031 (median):")
    advice = pl.read_csv(out, separator=";", decimal_comma=True)
    assert not advice.select("Opleidingscode", "Instellingscode (BRIN)").is_duplicated().any()
