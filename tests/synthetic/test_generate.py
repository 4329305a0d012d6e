"""Properties every generated region has, whatever the seed."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.synthetic.files import SMALL_REGION, read_manifest, read_source
from workforce.regional.published import AREA_REGIONS, PUBLISHED_2022
from workforce.synthetic import generate_national, generate_region

seeds = st.integers(min_value=0, max_value=2**32 - 1)
property_settings = settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _month_ends(first: date, last: date) -> pl.DataFrame:
    starts = pl.date_range(first, last, "1mo", eager=True)
    return pl.DataFrame({"month": starts}).with_columns(month_end=pl.col("month").dt.month_end())


def _monthly_flows(staff: pl.DataFrame) -> pl.DataFrame:
    """Headcount at month end counted person by person, with hires and leavers in the month."""
    months = _month_ends(date(2015, 1, 1), date(2025, 12, 1))
    keys = ["employer_id", "profession_code"]
    cells = staff.select(keys).unique()
    grid = cells.join(months, how="cross")
    spells = staff.select(*keys, "start_date", "end_date")
    active = (
        grid.join(spells, on=keys)
        .filter(
            (pl.col("start_date") <= pl.col("month_end"))
            & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("month_end")))
        )
        .group_by(*keys, "month")
        .len("headcount")
    )
    hires = staff.group_by(*keys, month=pl.col("start_date").dt.truncate("1mo")).len("hires")
    leavers = (
        staff.drop_nulls("end_date")
        .group_by(*keys, month=pl.col("end_date").dt.truncate("1mo"))
        .len("leavers")
    )
    return (
        grid.join(active, on=[*keys, "month"], how="left")
        .join(hires, on=[*keys, "month"], how="left")
        .join(leavers, on=[*keys, "month"], how="left")
        .fill_null(0)
        .sort(*keys, "month")
    )


@property_settings
@given(seed=seeds)
def test_same_seed_gives_identical_files(tmp_path_factory, seed: int) -> None:
    first, second = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    generate_region(first, seed=seed, params=SMALL_REGION)
    generate_region(second, seed=seed, params=SMALL_REGION)
    assert _digest(first) == _digest(second)


def test_other_seed_gives_other_files(tmp_path: Path) -> None:
    generate_region(tmp_path / "a", seed=1, params=SMALL_REGION)
    generate_region(tmp_path / "b", seed=2, params=SMALL_REGION)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


@property_settings
@given(seed=seeds)
def test_spells_are_consistent(tmp_path_factory, seed: int) -> None:
    out = tmp_path_factory.mktemp("region")
    generate_region(out, seed=seed, params=SMALL_REGION)
    staff = read_source(out, "staff")
    ended = staff.drop_nulls("end_date")
    assert (ended["end_date"] >= ended["start_date"]).all(), "a spell ends before it starts"
    assert staff.filter(pl.col("end_date").is_null())["leave_reason"].null_count() == (
        staff["end_date"].null_count()
    )
    assert ended["leave_reason"].null_count() == 0
    assert staff.select("employer_id", "person_key", "start_date").is_duplicated().sum() == 0
    # A person never works two contracts at once in the generated region.
    overlaps = (
        staff.sort("person_key", "start_date")
        .with_columns(previous_end=pl.col("end_date").shift().over("person_key"))
        .filter(
            pl.col("previous_end").is_null().not_()
            & (pl.col("start_date") <= pl.col("previous_end"))
        )
    )
    assert overlaps.is_empty()
    assert staff["end_date"].max() <= date(2025, 12, 31)
    assert staff["start_date"].max() <= date(2025, 12, 31)


@property_settings
@given(seed=seeds)
def test_stock_flow_identity_per_employer_profession_month(tmp_path_factory, seed: int) -> None:
    out = tmp_path_factory.mktemp("region")
    generate_region(out, seed=seed, params=SMALL_REGION)
    flows = _monthly_flows(read_source(out, "staff"))
    checked = flows.with_columns(
        expected=pl.col("headcount").shift().over("employer_id", "profession_code")
        + pl.col("hires")
        - pl.col("leavers")
    ).drop_nulls("expected")
    broken = checked.filter(pl.col("expected") != pl.col("headcount"))
    assert broken.is_empty(), broken.head()


def test_year_end_headcount_matches_the_manifest(region: Path, region_staff: pl.DataFrame) -> None:
    """The files and the simulation's own counters tell the same story."""
    realized = read_manifest(region)["realized"]["headcount_at_year_end"]
    for year, expected in realized.items():
        day = date(int(year), 12, 31)
        counted = region_staff.filter(
            (pl.col("start_date") <= day)
            & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
        ).height
        assert counted == expected, year


def test_manifest_lists_every_file_with_its_rows_and_hash(region: Path) -> None:
    files = read_manifest(region)["files"]
    on_disk = {k: v for k, v in _digest(region).items() if k != "manifest.json"}
    assert {name: entry["sha256"] for name, entry in files.items()} == on_disk
    assert sum(entry["rows"] for name, entry in files.items() if name.startswith("staff/")) == (
        read_source(region, "staff").height
    )


def test_one_file_per_employer_and_institution(region: Path) -> None:
    manifest = read_manifest(region)
    employers = {e["employer_id"] for e in manifest["employers"]}
    assert len(employers) >= 55
    staff_files = {p.name.split("_")[0] for p in (region / "staff").iterdir()}
    vacancy_files = {p.name.split("_")[0] for p in (region / "vacancies").iterdir()}
    assert staff_files == vacancy_files == employers
    assert {p.suffix for p in (region / "staff").iterdir()} == {".csv", ".parquet"}
    assert {p.name.split("_")[0] for p in (region / "education").iterdir()} == {
        "25LH", "30RN", "25DW", "21PD",
    }  # fmt: skip


def test_every_sector_and_municipality_of_the_area_is_present(area_staff: pl.DataFrame) -> None:
    from workforce.reference import load_reference

    reference = load_reference()
    assert set(area_staff["sector_code"]) == set(reference.sector_codes())
    area = {m for code in AREA_REGIONS for m in reference.municipality_codes(code)}
    assert set(area_staff["municipality_code"]) == area


def test_each_employer_works_in_one_region(area: Path, area_staff: pl.DataFrame) -> None:
    """An employer's staff work in the municipalities of its own region only."""
    from workforce.reference import load_reference

    regions = load_reference().municipalities.select("municipality_code", "region_code")
    declared = pl.DataFrame(read_manifest(area)["employers"]).select("employer_id", "region_code")
    seen = (
        area_staff.join(regions, on="municipality_code")
        .select("employer_id", "region_code")
        .unique()
    )
    assert seen.sort("employer_id").equals(declared.sort("employer_id"))
    assert set(declared["region_code"]) == set(AREA_REGIONS)


def test_each_region_has_its_published_size_and_shortage_share(area: Path) -> None:
    """Within 1.5 points of the published 2022 share, and the size the published figures imply."""
    by_region = read_manifest(area)["realized"]["by_region"]
    assert set(by_region) == set(AREA_REGIONS)
    for code, published in PUBLISHED_2022.items():
        realized = by_region[code]
        share = realized["shortage_at_calibration"] / realized["demand_at_calibration"]
        assert abs(share - published.share_of_demand) <= 0.015, (code, share)
        assert realized["demand_at_calibration"] == pytest.approx(published.demand, rel=0.01)
    # Gooi en Vechtstreek is the tightest, as published.
    shares = {
        code: r["shortage_at_calibration"] / r["demand_at_calibration"]
        for code, r in by_region.items()
    }
    assert max(shares, key=shares.__getitem__) == "AM12"


def test_people_move_between_regions_in_both_directions(
    area: Path, area_staff: pl.DataFrame
) -> None:
    """Moves across region borders are seen through the one person key, counted as the
    manifest says, and stay a minority of all moves."""
    from workforce.reference import load_reference

    regions = load_reference().municipalities.select("municipality_code", "region_code")
    spells = (
        area_staff.join(regions, on="municipality_code")
        .sort("person_key", "start_date", "employer_id", "end_date")
        .with_columns(
            next_region=pl.col("region_code").shift(-1).over("person_key"),
            gap=(
                pl.col("start_date").shift(-1).over("person_key") - pl.col("end_date")
            ).dt.total_days(),
        )
        .filter(pl.col("gap").is_between(-31, 183))
    )
    across = spells.filter(pl.col("region_code") != pl.col("next_region"))
    counted = {
        f"{a}->{b}": n
        for a, b, n in across.group_by("region_code", "next_region").len().iter_rows()
    }
    assert counted == read_manifest(area)["realized"]["moves_between_regions"]
    assert len(counted) == 6  # every ordered pair of the three regions
    assert 0.03 < across.height / spells.height < 0.4


def test_one_region_can_be_generated_alone(tmp_path: Path) -> None:
    summary = generate_region(tmp_path, seed=3, params=SMALL_REGION.with_regions("AM14"))
    staff = read_source(tmp_path, "staff")
    from workforce.reference import load_reference

    assert set(staff["municipality_code"]) <= set(load_reference().municipality_codes("AM14"))
    assert list(summary.shortage_by_region) == ["AM14"]
    assert read_manifest(tmp_path)["realized"]["moves_between_regions"] == {}
    population = read_source(tmp_path, "population")
    assert set(population["municipality_code"]) == set(staff["municipality_code"]) | set(
        load_reference().municipality_codes("AM14")
    )


def test_regenerating_into_a_folder_removes_stale_files(tmp_path: Path) -> None:
    stale = tmp_path / "staff" / "OLD-01_2020-12-31.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("employer_id\n")
    generate_region(tmp_path, seed=3, params=SMALL_REGION)
    assert not stale.exists()


def test_national_scale_streams_one_partition_per_block(tmp_path: Path) -> None:
    summary = generate_national(tmp_path, seed=5, workers=28 * 1500)
    partitions = sorted((tmp_path / "staff").glob("block=*/part.parquet"))
    assert len(partitions) == 28
    staff = pl.scan_parquet(tmp_path / "staff", hive_partitioning=True)
    at_extract = staff.filter(pl.col("end_date").is_null()).select(pl.len()).collect().item()
    assert at_extract == summary.workers_at_extract
    assert 0.85 * 28 * 1500 <= at_extract <= 1.2 * 28 * 1500
    blocks = read_manifest(tmp_path)["blocks"]
    assert len({block["municipality_code"] for block in blocks.values()}) == 28


def test_staff_live_mostly_near_their_work_and_some_across_a_region_border(
    area: Path, area_staff: pl.DataFrame
) -> None:
    """One residence per person, in the area; most live in the region where they work, a
    minority commute from another region, as the manifest counts them."""
    from workforce.reference import load_reference

    regions = load_reference().municipalities.select("municipality_code", "region_code")
    assert area_staff["residence_municipality_code"].null_count() == 0
    assert (
        area_staff.group_by("person_key")
        .agg(pl.col("residence_municipality_code").n_unique())["residence_municipality_code"]
        .max()
        == 1
    )
    placed = area_staff.join(regions, on="municipality_code").join(
        regions.rename(
            {"municipality_code": "residence_municipality_code", "region_code": "home_region"}
        ),
        on="residence_municipality_code",
    )
    assert placed.height == area_staff.height  # every residence is a municipality of the area
    ongoing = placed.filter(pl.col("end_date").is_null())
    counted: dict[str, dict[str, int]] = {}
    for work, home, n in ongoing.group_by("region_code", "home_region").len().iter_rows():
        counted.setdefault(work, {})[home] = n
    manifest = read_manifest(area)
    assert counted == manifest["realized"]["contracts_at_extract_by_work_and_home_region"]
    across = ongoing.filter(pl.col("region_code") != pl.col("home_region")).height
    assert 0.05 < across / ongoing.height < 0.3
    same_place = (ongoing["municipality_code"] == ongoing["residence_municipality_code"]).mean()
    assert same_place > 0.3
    for work in AREA_REGIONS:  # commuters come from both other regions
        assert len(counted[work]) == 3
