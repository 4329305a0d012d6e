"""Views follow identity: what the regional page offers and shows to the public and to employers.

The raw counts the checks compare against come straight from the marts (moves between
employers, people behind each benchmark), not from the disclosure-controlled tables the page
shows, so a leak in either would be caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import traitlets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dashboards.main_pages import MainPagesData, main_pages_data
from workforce.dashboards.identity import (
    PUBLIC_IDENTITY,
    Identity,
    resolve_identity,
    sign_in,
    sign_in_cell,
    signed_in,
)
from workforce.dashboards.regional_employer import RegionalEmployerApp
from workforce.dashboards.regional_employer_data import read_marts, read_regional, read_shortage
from workforce.privacy import DEFAULT_K, TOTAL
from workforce.regional.benchmarks import employer_benchmarks
from workforce.regional.data import RegionalMarts
from workforce.regional.network import flows


@pytest.fixture(scope="session")
def main_data(region_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> MainPagesData:
    return main_pages_data(region_forecast, tmp_path_factory)


@dataclass(frozen=True)
class Inputs:
    data_dir: Path
    marts: RegionalMarts
    employers: tuple[str, ...]
    moves: dict[tuple[str, str], int]
    people: dict[tuple[str, str], int]


@pytest.fixture(scope="module")
def inputs(main_data: MainPagesData) -> Inputs:
    marts = read_marts(main_data.data_dir)
    assert marts is not None
    moves = {(str(s), str(t)): int(m) for s, t, m in flows(marts, level="employer").iter_rows()}
    raw = employer_benchmarks(marts, k=1).filter(pl.col("people").is_not_null())
    people = {
        (str(m), str(e)): int(p)
        for m, e, p in raw.select("metric", "employer_id", "people").iter_rows()
    }
    employers = tuple(sorted(marts.workforce_monthly["employer_id"].unique().to_list()))
    return Inputs(main_data.data_dir, marts, employers, moves, people)


_APPS: dict[Identity, RegionalEmployerApp] = {}


def _app(inputs: Inputs, identity: Identity) -> RegionalEmployerApp:
    """One App per identity (building one draws every chart), reused across examples."""
    if identity not in _APPS:
        _APPS[identity] = RegionalEmployerApp(
            shortage=read_shortage(inputs.data_dir),
            regional=read_regional(inputs.data_dir),
            marts=inputs.marts,
            identity=identity,
        )
    return _APPS[identity]


def _viewer_values(app: RegionalEmployerApp) -> list[str]:
    return [value for _, value in app.viewer.options]


def test_the_shared_token_offers_the_public_view_only(inputs: Inputs) -> None:
    app = _app(inputs, PUBLIC_IDENTITY)
    assert _viewer_values(app) == [""]
    with pytest.raises(traitlets.TraitError):
        app.viewer.value = inputs.employers[0]
    assert app.current_viewer.employer_id is None


def test_an_employer_is_offered_its_own_view_and_no_other(inputs: Inputs) -> None:
    own, other = inputs.employers[0], inputs.employers[1]
    app = _app(inputs, Identity(own, "employer token"))
    assert _viewer_values(app) == ["", own]
    with pytest.raises(traitlets.TraitError):
        app.viewer.value = other
    app.viewer.value = own
    assert app.current_viewer.employer_id == own
    app.viewer.value = ""


def test_an_unknown_employer_gets_the_public_view(inputs: Inputs) -> None:
    app = _app(inputs, Identity("NOT-AN-EMPLOYER", "proxy header"))
    assert _viewer_values(app) == [""]


def _shown_cells(app: RegionalEmployerApp) -> tuple[list[tuple[str, str, int]], list[str]]:
    sankey = app.sankey_figure.data[0]
    ids = list(sankey.node.customdata or ())
    links = [
        (ids[s], ids[t], int(v))
        for s, t, v in zip(
            sankey.link.source or (), sankey.link.target or (), sankey.link.value or (), strict=True
        )
    ]
    return links, list(app.benchmark_figure.data[0].customdata or ())


def _assert_nothing_small_of_others(app: RegionalEmployerApp, inputs: Inputs) -> None:
    own = app.identity.employer_id
    links, bars = _shown_cells(app)
    for source, target, value in links:
        if app.flow_level.value != "employer" or own in (source, target):
            continue
        assert value >= DEFAULT_K, (own, source, target, value)
        assert inputs.moves[(source, target)] == value
    metric = str(app.metric.value)
    for employer in bars:
        if employer in (own, TOTAL):
            continue
        assert inputs.people[(metric, employer)] >= DEFAULT_K, (own, metric, employer)


Action = tuple[str, int]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    who=st.integers(min_value=-1, max_value=2),
    actions=st.lists(
        st.tuples(st.sampled_from(["viewer", "flow_level", "metric"]), st.integers(0, 20)),
        max_size=6,
    ),
)
def test_no_reachable_view_shows_another_partys_small_cell(
    inputs: Inputs, who: int, actions: list[Action]
) -> None:
    """With the public credential or employer A's, whatever the user clicks: no cell below k
    of another employer reaches a chart."""
    identity = (
        PUBLIC_IDENTITY
        if who < 0
        else Identity(inputs.employers[who * 7 % len(inputs.employers)], "employer token")
    )
    app = _app(inputs, identity)
    _assert_nothing_small_of_others(app, inputs)
    for control_name, choice in actions:
        control = getattr(app, control_name)
        control.index = choice % len(control.options)
        assert set(_viewer_values(app)) <= {"", identity.employer_id}
        _assert_nothing_small_of_others(app, inputs)


def test_the_sign_in_cell_records_the_identity_without_running_anything_else() -> None:
    hostile = "GGZ-04'); import os; os.system('echo owned'); ('"
    namespace: dict[str, object] = {}
    try:
        exec(sign_in_cell(Identity(hostile, "proxy header")), namespace)
        assert signed_in() == Identity(hostile, "proxy header")
        assert set(namespace) == {"__builtins__"}
    finally:
        sign_in(None)
    assert signed_in() == PUBLIC_IDENTITY


def test_identity_prefers_an_active_employer_token_then_the_trusted_header(
    tmp_path: Path,
) -> None:
    from workforce.dashboards.access import issue_token, revoke_tokens

    issued = issue_token(tmp_path, "GGZ-04")
    user = f"employer:{issued.record.token_id}"
    assert resolve_identity(user, None, data_dir=tmp_path).employer_id == "GGZ-04"
    assert resolve_identity(user, "VVT-01", data_dir=tmp_path).employer_id == "GGZ-04"
    assert resolve_identity("public", "VVT-01", data_dir=tmp_path) == Identity(
        "VVT-01", "proxy header"
    )
    assert resolve_identity("public", None, data_dir=tmp_path).is_public
    assert resolve_identity("public", "  ", data_dir=tmp_path).is_public
    revoke_tokens(tmp_path, "GGZ-04")
    assert resolve_identity(user, None, data_dir=tmp_path).is_public
