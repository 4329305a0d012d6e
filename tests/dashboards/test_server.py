"""The Voila command line and the server's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from workforce.dashboards.data import DATA_ENV, MODELS_ENV
from workforce.dashboards.server import (
    TOKEN_ENV,
    ServerSettings,
    dashboards_dir,
    new_token,
    server_environment,
    voila_command,
)


def _settings(tmp_path: Path, **changes: object) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data", models_dir=tmp_path / "models", token="secret", **changes
    )  # type: ignore[arg-type]


def test_command_turns_on_token_auth_and_hides_sources_and_tracebacks(tmp_path: Path) -> None:
    command = voila_command(_settings(tmp_path, port=9001))
    assert "--token=secret" in command
    assert "--strip_sources=True" in command
    assert "--show_tracebacks=False" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert "--port=9001" in command
    assert any(part.startswith("--VoilaExecutor.timeout=") for part in command)


def test_a_left_pages_kernel_is_released_within_a_minute(tmp_path: Path) -> None:
    from workforce.dashboards.voila_app import RELEASE_CHECK_SECONDS

    settings = _settings(tmp_path)
    command = voila_command(settings)
    assert f"--WorkforceVoila.release_left_after={settings.release_left_after}" in command
    assert settings.release_left_after + RELEASE_CHECK_SECONDS <= 60
    # Kernels a page has not connected to yet (slow under load) wait longer for it.
    assert f"--MappingKernelManager.cull_idle_timeout={settings.cull_idle_timeout}" in command
    assert settings.cull_idle_timeout > settings.release_left_after
    # Open pages (connected) and pages still rendering (busy) are never culled.
    assert "--MappingKernelManager.cull_connected=False" in command
    assert "--MappingKernelManager.cull_busy=False" in command


def test_kernels_are_capped_and_identity_options_reach_voila(tmp_path: Path) -> None:
    command = voila_command(
        _settings(tmp_path, max_kernels=3, trust_proxy_header="X-Workforce-Employer")
    )
    assert command[1:3] == ["-m", "workforce.dashboards.voila_app"]
    assert "--WorkforceVoila.max_kernels=3" in command
    assert "--WorkforceVoila.trust_proxy_header=X-Workforce-Employer" in command
    assert not any("trust_proxy_header" in part for part in voila_command(_settings(tmp_path)))
    assert not any("preheat" in part for part in command)
    with pytest.raises(ValueError, match="expected a header name"):
        _settings(tmp_path, trust_proxy_header="X-Employer: evil")


def test_notebooks_find_data_and_models_by_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environment = server_environment(
        ServerSettings(data_dir=Path("data"), models_dir=Path("models"), token="t")
    )
    assert environment[DATA_ENV] == str(tmp_path / "data")
    assert environment[MODELS_ENV] == str(tmp_path / "models")


def test_dashboards_folder_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (dashboards_dir() / "forecast_explorer.ipynb").is_file()


def test_urls_carry_the_token(tmp_path: Path) -> None:
    settings = _settings(tmp_path, port=9002)
    assert settings.url("a.ipynb") == "http://127.0.0.1:9002/voila/render/a.ipynb?token=secret"
    assert settings.url(with_token=False) == "http://127.0.0.1:9002/"
    assert "secret" not in repr(settings)


def test_token_from_the_environment_or_random(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 24
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert new_token() == "from-env"


def test_the_start_page_names_every_dashboard_in_dutch_with_its_user() -> None:
    import html
    import re

    from workforce.dashboards.server import dashboards_dir
    from workforce.dashboards.voila_app import PAGES, index_page

    notebooks = sorted(path.name for path in dashboards_dir().glob("*.ipynb"))
    assert set(notebooks) == set(PAGES), "a dashboard without a Dutch name on the start page"
    visible = html.unescape(re.sub(r"<[^>]+>", " ", index_page("/", notebooks)))
    for title, line in PAGES.values():
        assert title in visible
        assert line in visible
    assert ".ipynb" not in visible
    assert "Regions" not in visible
