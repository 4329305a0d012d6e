"""Reconciled forecasts add up along region -> sector -> profession, for every method."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workforce.forecast.frames import ForecastOutput
from workforce.outlook.reconcile import (
    METHODS,
    WORKFORCE_LEVELS,
    Hierarchy,
    Method,
    aggregate,
    reconcile,
    reconcile_frame,
    shrink_covariance,
)

RTOL = 1e-9


@pytest.fixture
def keys() -> pl.DataFrame:
    """Two regions; AM13 has a nurse in two sectors, so region x profession is a real grouping."""
    return pl.DataFrame(
        {
            "region_code": ["AM13", "AM13", "AM13", "AM13", "AM14"],
            "sector_code": ["umc", "umc", "vvt", "vvt", "ggz"],
            "profession_code": ["nurse", "doctor", "nurse", "aide", "nurse"],
        }
    )


@pytest.fixture
def hierarchy(keys: pl.DataFrame) -> Hierarchy:
    return Hierarchy.from_bottom(keys, WORKFORCE_LEVELS)


def assert_coherent(values: np.ndarray, hierarchy: Hierarchy) -> None:
    """Every node equals the sum of its bottom series, and each level sums to the grand total."""
    bottom = values[-hierarchy.n_bottom :]
    np.testing.assert_allclose(values, hierarchy.summing @ bottom, rtol=RTOL, atol=1e-9)
    total = bottom.sum(axis=0)
    levels = hierarchy.nodes["level"].to_numpy()
    for level in np.unique(levels):
        np.testing.assert_allclose(values[levels == level].sum(axis=0), total, rtol=RTOL, atol=1e-9)


def coherent_base(hierarchy: Hierarchy, rng: np.random.Generator, periods: int) -> np.ndarray:
    return hierarchy.summing @ rng.uniform(0.0, 50.0, (hierarchy.n_bottom, periods))


# The hierarchy ------------------------------------------------------------------------------


def test_node_ids_follow_the_documented_scheme(hierarchy: Hierarchy) -> None:
    assert hierarchy.node_ids == [
        "AM13",
        "AM14",
        "AM13/umc",
        "AM13/vvt",
        "AM14/ggz",
        "AM13/*/aide",
        "AM13/*/doctor",
        "AM13/*/nurse",
        "AM14/*/nurse",
        "AM13/umc/doctor",
        "AM13/umc/nurse",
        "AM13/vvt/aide",
        "AM13/vvt/nurse",
        "AM14/ggz/nurse",
    ]
    assert hierarchy.key_columns == ("region_code", "sector_code", "profession_code")


def test_summing_matrix_sums_the_right_bottom_series(hierarchy: Hierarchy) -> None:
    s = hierarchy.summing
    ids = hierarchy.node_ids
    bottom = hierarchy.bottom_ids

    def members(node: str) -> set[str]:
        return {bottom[j] for j in np.flatnonzero(s[ids.index(node)])}

    assert members("AM13/*/nurse") == {"AM13/umc/nurse", "AM13/vvt/nurse"}
    assert members("AM13") == {
        "AM13/umc/doctor",
        "AM13/umc/nurse",
        "AM13/vvt/aide",
        "AM13/vvt/nurse",
    }
    assert members("AM14/ggz") == {"AM14/ggz/nurse"}
    np.testing.assert_array_equal(s[-hierarchy.n_bottom :], np.eye(hierarchy.n_bottom))
    assert set(np.unique(s)) == {0.0, 1.0}


def test_nodes_frame_names_level_and_keys(hierarchy: Hierarchy) -> None:
    row = hierarchy.nodes.filter(pl.col("node_id") == "AM13/*/nurse").row(0, named=True)
    assert row == {
        "node_id": "AM13/*/nurse",
        "level": "region_code/profession_code",
        "region_code": "AM13",
        "sector_code": None,
        "profession_code": "nurse",
    }
    assert hierarchy.nodes.height == hierarchy.summing.shape[0]


def test_bottom_level_is_added_and_levels_take_key_order(keys: pl.DataFrame) -> None:
    """Extra columns of a long frame are ignored; ``[sector, region]`` is region x sector."""
    long = keys.with_columns(ds=pl.lit(dt.date(2024, 1, 1)), y=pl.lit(1.0))
    hierarchy = Hierarchy.from_bottom(
        pl.concat([long, long]),
        [["sector_code", "region_code"], ["region_code"], ["profession_code", "region_code"]],
    )
    assert hierarchy.levels == (
        ("region_code", "sector_code"),
        ("region_code",),
        ("region_code", "profession_code"),
        ("region_code", "sector_code", "profession_code"),
    )
    assert hierarchy.n_bottom == keys.height


def test_the_bottom_is_the_finest_level_named(keys: pl.DataFrame) -> None:
    """Without professions in any level, the bottom series are the region x sector cells."""
    hierarchy = Hierarchy.from_bottom(keys, [["region_code"], ["sector_code", "region_code"]])
    assert hierarchy.bottom_ids == ["AM13/umc", "AM13/vvt", "AM14/ggz"]
    assert hierarchy.node_ids == ["AM13", "AM14", "AM13/umc", "AM13/vvt", "AM14/ggz"]


def test_grand_total_level_has_id_star(keys: pl.DataFrame) -> None:
    hierarchy = Hierarchy.from_bottom(keys, [[], *WORKFORCE_LEVELS])
    assert hierarchy.node_ids[0] == "*"
    np.testing.assert_array_equal(hierarchy.summing[0], np.ones(keys.height))


@pytest.mark.parametrize(
    ("change", "levels", "message"),
    [
        ({"sector_code": ["u/mc", "umc", "vvt", "vvt", "ggz"]}, WORKFORCE_LEVELS, "free of"),
        ({"sector_code": ["*", "umc", "vvt", "vvt", "ggz"]}, WORKFORCE_LEVELS, "free of"),
        ({"sector_code": [None, "umc", "vvt", "vvt", "ggz"]}, WORKFORCE_LEVELS, "missing"),
        ({}, [["region_code"], ["region_code"]], "twice"),
        ({}, [["region_code", "function_code"]], "function_code"),
    ],
)
def test_bad_keys_or_levels_are_refused(
    keys: pl.DataFrame, change: dict[str, list[str | None]], levels: list[list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Hierarchy.from_bottom(keys.with_columns(pl.Series(k, v) for k, v in change.items()), levels)


# Bottom-up aggregation ----------------------------------------------------------------------


def test_aggregate_sums_bottom_values_at_every_node(hierarchy: Hierarchy) -> None:
    bottom = pl.DataFrame(
        {
            "unique_id": [
                "AM13/umc/nurse",
                "AM13/umc/doctor",
                "AM13/vvt/nurse",
                "AM13/vvt/aide",
                "AM14/ggz/nurse",
            ],
            "ds": [dt.date(2026, 1, 1)] * 5,
            "fte": [10.0, 2.0, 30.0, 5.0, 7.0],
        }
    )
    result = aggregate(bottom, hierarchy, ["fte"])
    assert result.columns == ["unique_id", "ds", "fte"]
    assert result["unique_id"].to_list() == hierarchy.node_ids
    fte = dict(zip(result["unique_id"], result["fte"], strict=True))
    assert fte["AM13"] == 47.0
    assert fte["AM13/*/nurse"] == 40.0
    assert fte["AM13/vvt"] == 35.0
    assert fte["AM14"] == fte["AM14/ggz"] == fte["AM14/*/nurse"] == 7.0
    assert_coherent(result["fte"].to_numpy()[:, None], hierarchy)


def test_aggregate_reads_key_columns_when_there_is_no_id(
    keys: pl.DataFrame, hierarchy: Hierarchy
) -> None:
    bottom = keys.with_columns(ds=pl.lit(dt.date(2026, 1, 1)), fte=pl.Series([1.0, 2, 3, 4, 5]))
    result = aggregate(bottom, hierarchy, ["fte"])
    assert result.filter(pl.col("unique_id") == "AM13")["fte"].item() == 10.0


def test_sample_paths_are_summed_before_quantiles(hierarchy: Hierarchy) -> None:
    """Independent paths: the 95 % quantile of the sum is below the sum of the 95 % quantiles."""
    rng = np.random.default_rng(7)
    samples = 2000
    paths = pl.DataFrame(
        {
            "unique_id": np.repeat(hierarchy.bottom_ids, samples),
            "ds": dt.date(2026, 1, 1),
            "sample": np.tile(np.arange(samples), hierarchy.n_bottom),
            "fte": rng.normal(10.0, 2.0, hierarchy.n_bottom * samples),
        }
    )
    nodes = aggregate(paths, hierarchy, ["fte"], by=("ds", "sample"))
    assert nodes.height == hierarchy.n_nodes * samples
    upper = nodes.group_by("unique_id").agg(pl.col("fte").quantile(0.95))
    quantile = dict(zip(upper["unique_id"], upper["fte"], strict=True))
    summed_quantiles = sum(quantile[b] for b in hierarchy.bottom_ids if b.startswith("AM13"))
    assert quantile["AM13"] < summed_quantiles - 2.0


def test_aggregate_refuses_an_incomplete_bottom(hierarchy: Hierarchy) -> None:
    bottom = pl.DataFrame(
        {"unique_id": ["AM13/umc/nurse"], "ds": [dt.date(2026, 1, 1)], "fte": [1.0]}
    )
    with pytest.raises(ValueError, match="lack bottom series"):
        aggregate(bottom, hierarchy, ["fte"])
    with pytest.raises(ValueError, match="not bottom series"):
        aggregate(bottom.with_columns(unique_id=pl.lit("AM13")), hierarchy, ["fte"])


# Reconciliation on arrays -------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_reconciled_forecasts_add_up_at_every_level(hierarchy: Hierarchy, method: Method) -> None:
    rng = np.random.default_rng(1)
    base = rng.uniform(0.0, 100.0, (hierarchy.n_nodes, 6))
    residuals = rng.normal(0.0, 3.0, (hierarchy.n_nodes, 40))
    coherent = reconcile(base, hierarchy, method, residuals)
    assert coherent.shape == base.shape
    assert_coherent(coherent, hierarchy)
    assert not np.allclose(coherent, base)


def test_bottom_up_returns_the_bottom_unchanged(hierarchy: Hierarchy) -> None:
    rng = np.random.default_rng(2)
    base = rng.uniform(0.0, 100.0, (hierarchy.n_nodes, 3))
    base[0] = np.nan  # aggregates are not read
    coherent = reconcile(base, hierarchy, "bottom_up")
    np.testing.assert_array_equal(coherent[-hierarchy.n_bottom :], base[-hierarchy.n_bottom :])
    assert_coherent(coherent, hierarchy)


@pytest.mark.parametrize("method", METHODS)
def test_coherent_forecasts_are_returned_unchanged(hierarchy: Hierarchy, method: Method) -> None:
    rng = np.random.default_rng(3)
    base = coherent_base(hierarchy, rng, 4)
    residuals = rng.normal(0.0, 1.0, (hierarchy.n_nodes, 30))
    np.testing.assert_allclose(reconcile(base, hierarchy, method, residuals), base, rtol=RTOL)


def test_a_vector_of_forecasts_keeps_its_shape(hierarchy: Hierarchy) -> None:
    base = np.arange(hierarchy.n_nodes, dtype=float)
    coherent = reconcile(base, hierarchy, "wls_struct")
    assert coherent.shape == (hierarchy.n_nodes,)
    assert_coherent(coherent[:, None], hierarchy)


def test_mint_shrink_beats_ols_when_the_aggregates_are_noisy() -> None:
    """Bottom forecasts are accurate (sd 0.2), aggregates noisy (sd 5): MinT learns to trust the
    bottom from the residuals, OLS weights every node alike."""
    rng = np.random.default_rng(11)
    keys = pl.DataFrame(
        {
            "region_code": ["AM13"] * 12,
            "sector_code": np.repeat(["umc", "vvt", "ggz"], 4),
            "profession_code": np.tile(["nurse", "doctor", "aide", "carer"], 3),
        }
    )
    hierarchy = Hierarchy.from_bottom(keys, WORKFORCE_LEVELS)
    noise = np.where(
        hierarchy.nodes["level"] == "region_code/sector_code/profession_code", 0.2, 5.0
    )
    errors: dict[str, list[float]] = {"ols": [], "mint_shrink": []}
    for _ in range(200):
        truth = hierarchy.summing @ rng.uniform(20.0, 80.0, hierarchy.n_bottom)
        base = truth + rng.normal(0.0, noise)
        residuals = rng.normal(0.0, noise[:, None], (hierarchy.n_nodes, 48))
        for method, found in errors.items():
            coherent = reconcile(base, hierarchy, method, residuals)  # type: ignore[arg-type]
            found.append(float(np.mean((coherent - truth) ** 2)))
    assert np.mean(errors["mint_shrink"]) < 0.2 * np.mean(errors["ols"])


def test_mint_shrink_needs_residuals_per_node(hierarchy: Hierarchy) -> None:
    base = np.ones((hierarchy.n_nodes, 2))
    with pytest.raises(ValueError, match="needs residuals"):
        reconcile(base, hierarchy, "mint_shrink")
    with pytest.raises(ValueError, match="rows"):
        reconcile(base, hierarchy, "mint_shrink", np.ones((3, 10)))
    with pytest.raises(ValueError, match="unknown"):
        reconcile(base, hierarchy, "top_down")  # type: ignore[arg-type]


def test_degenerate_residuals_still_give_finite_coherent_forecasts(hierarchy: Hierarchy) -> None:
    """A series with zero errors, one with constant errors, and fewer observations than nodes."""
    rng = np.random.default_rng(4)
    residuals = rng.normal(0.0, 1.0, (hierarchy.n_nodes, 3))
    residuals[0] = 0.0
    residuals[1] = 2.5
    residuals[-1] = residuals[-2]
    base = rng.uniform(0.0, 100.0, (hierarchy.n_nodes, 2))
    coherent = reconcile(base, hierarchy, "mint_shrink", residuals)
    assert np.all(np.isfinite(coherent))
    assert_coherent(coherent, hierarchy)
    all_zero = reconcile(base, hierarchy, "mint_shrink", np.zeros((hierarchy.n_nodes, 5)))
    np.testing.assert_allclose(all_zero, reconcile(base, hierarchy, "ols"), rtol=1e-7)


# Shrinkage ----------------------------------------------------------------------------------


def test_shrinkage_is_strong_for_independent_errors_and_weak_for_structured_ones() -> None:
    rng = np.random.default_rng(5)
    independent = rng.normal(0.0, 1.0, (6, 500))
    assert shrink_covariance(independent).intensity > 0.5
    bottom = rng.normal(0.0, 1.0, (4, 500))
    structured = np.vstack([bottom.sum(axis=0), bottom[:2].sum(axis=0), bottom])
    assert shrink_covariance(structured).intensity < 0.1


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 8), st.integers(2, 30)),
        elements=st.one_of(
            st.just(0.0), st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
        ),
    )
)
def test_shrinkage_intensity_stays_between_zero_and_one(residuals: np.ndarray) -> None:
    shrinkage = shrink_covariance(residuals)
    assert 0.0 <= shrinkage.intensity <= 1.0
    assert np.all(np.isfinite(shrinkage.covariance))
    assert np.all(np.linalg.eigvalsh(shrinkage.covariance) >= -1e-9 * shrinkage.covariance.max())


# Random hierarchies -------------------------------------------------------------------------


@st.composite
def random_hierarchies(draw: st.DrawFn) -> Hierarchy:
    """Any subset of regions x sectors x professions, with any of the workforce levels."""
    cells = [
        (f"R{r}", f"s{s}", f"p{p}")
        for r in range(draw(st.integers(1, 3)))
        for s in range(draw(st.integers(1, 3)))
        for p in range(draw(st.integers(1, 4)))
    ]
    chosen = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True))
    levels = draw(st.lists(st.sampled_from(WORKFORCE_LEVELS), min_size=1, unique=True))
    keys = pl.DataFrame(
        chosen, schema=["region_code", "sector_code", "profession_code"], orient="row"
    )
    return Hierarchy.from_bottom(keys, levels)


@settings(max_examples=40, deadline=None)
@given(random_hierarchies(), st.sampled_from(METHODS), st.integers(0, 2**32 - 1))
def test_random_hierarchies_reconcile_to_coherent_forecasts(
    hierarchy: Hierarchy, method: Method, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.0, 1000.0, (hierarchy.n_nodes, 3))
    residuals = rng.normal(
        0.0, rng.uniform(0.1, 20.0, (hierarchy.n_nodes, 1)), (hierarchy.n_nodes, 12)
    )
    coherent = reconcile(base, hierarchy, method, residuals)
    assert np.all(np.isfinite(coherent))
    assert_coherent(coherent, hierarchy)
    already = coherent_base(hierarchy, rng, 2)
    np.testing.assert_allclose(reconcile(already, hierarchy, method, residuals), already, rtol=RTOL)


# Reconciling tidy frames --------------------------------------------------------------------


def tidy_forecasts(hierarchy: Hierarchy, rng: np.random.Generator) -> pl.DataFrame:
    periods = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    frames = []
    for model in ("prophet", "naive"):
        yhat = rng.uniform(10.0, 100.0, hierarchy.n_nodes * len(periods))
        width = rng.uniform(1.0, 5.0, yhat.size)
        frames.append(
            pl.DataFrame(
                {
                    "unique_id": np.repeat(hierarchy.node_ids, len(periods)),
                    "ds": periods * hierarchy.n_nodes,
                    "model": model,
                    "yhat": yhat,
                    "yhat_lo_80": yhat - width,
                    "yhat_hi_80": yhat + width,
                    "yhat_lo_95": yhat - 2 * width,
                    "yhat_hi_95": yhat + 2 * width,
                }
            )
        )
    return pl.concat(frames).sample(fraction=1.0, shuffle=True, seed=0)


@pytest.mark.parametrize("method", METHODS)
def test_reconcile_frame_makes_each_model_coherent(hierarchy: Hierarchy, method: Method) -> None:
    rng = np.random.default_rng(6)
    base = tidy_forecasts(hierarchy, rng)
    residuals = pl.DataFrame(
        {
            "unique_id": np.repeat(hierarchy.node_ids, 24),
            "ds": pl.date_range(
                dt.date(2024, 1, 1), dt.date(2025, 12, 1), "1mo", eager=True
            ).to_list()
            * hierarchy.n_nodes,
            "y": rng.normal(50.0, 5.0, hierarchy.n_nodes * 24),
            "yhat": 50.0,
        }
    )
    result = reconcile_frame(base, hierarchy, method, residuals)
    ForecastOutput.validate(result)
    assert result.height == base.height
    assert set(result["reconciliation"]) == {method}
    for (model,), group in result.group_by("model"):
        for (_,), period in group.group_by("ds"):
            ordered = period.sort(
                pl.col("unique_id").replace_strict(hierarchy.node_ids, range(hierarchy.n_nodes))
            )
            assert ordered["unique_id"].to_list() == hierarchy.node_ids, model
            assert_coherent(ordered["yhat"].to_numpy()[:, None], hierarchy)
    joined = result.join(base, on=["unique_id", "ds", "model"], suffix="_base")
    np.testing.assert_allclose(
        joined["yhat_hi_95"] - joined["yhat_lo_95"],
        joined["yhat_hi_95_base"] - joined["yhat_lo_95_base"],
        rtol=RTOL,
    )


def test_reconcile_frame_per_model_matches_the_array_function(hierarchy: Hierarchy) -> None:
    rng = np.random.default_rng(8)
    base = tidy_forecasts(hierarchy, rng).filter(pl.col("model") == "naive").drop("model")
    result = reconcile_frame(base, hierarchy, "wls_struct")
    order = pl.col("unique_id").replace_strict(hierarchy.node_ids, range(hierarchy.n_nodes))
    matrix = base.sort(order, "ds")["yhat"].to_numpy().reshape(hierarchy.n_nodes, 3)
    expected = reconcile(matrix, hierarchy, "wls_struct")
    np.testing.assert_allclose(
        result.sort(order, "ds")["yhat"].to_numpy(), expected.ravel(), rtol=RTOL
    )
    assert "model" not in result.columns


def test_reconcile_frame_needs_every_node(hierarchy: Hierarchy) -> None:
    base = tidy_forecasts(hierarchy, np.random.default_rng(9))
    with pytest.raises(ValueError, match="AM13/umc"):
        reconcile_frame(base.filter(pl.col("unique_id") != "AM13/umc"), hierarchy, "ols")
    with pytest.raises(ValueError, match="needs residuals_long"):
        reconcile_frame(base, hierarchy, "mint_shrink")


def test_aggregate_several_values_without_dates(hierarchy: Hierarchy) -> None:
    bottom = pl.DataFrame(
        {
            "unique_id": hierarchy.bottom_ids,
            "headcount": [1, 2, 3, 4, 5],
            "fte": [0.5, 1.5, 2.5, 3.5, 4.5],
        }
    )
    result = aggregate(bottom, hierarchy, ["headcount", "fte"], by=())
    assert result.columns == ["unique_id", "headcount", "fte"]
    assert result.filter(pl.col("unique_id") == "AM13").row(0) == ("AM13", 10.0, 8.0)
    assert_coherent(result.select("headcount", "fte").to_numpy(), hierarchy)
