"""Employers' access tokens: issued once, stored hashed and private, revoked by command."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.dashboards.access import (
    AccessError,
    find_token,
    issue_token,
    read_tokens,
    revoke_tokens,
    tokens_path,
)

runner = CliRunner()


def test_a_token_is_stored_only_as_a_hash_readable_by_its_owner(tmp_path: Path) -> None:
    issued = issue_token(tmp_path, "GGZ-04")
    stored = tokens_path(tmp_path).read_text(encoding="utf-8")
    assert issued.token not in stored
    assert issued.record.token_hash in stored
    assert stat.S_IMODE(tokens_path(tmp_path).stat().st_mode) == 0o600
    assert find_token(tmp_path, issued.token) == issued.record
    assert find_token(tmp_path, issued.token + "x") is None
    assert find_token(tmp_path, "the-shared-token") is None


def test_revoking_an_employer_ends_all_its_tokens_and_no_other(tmp_path: Path) -> None:
    first, second = issue_token(tmp_path, "GGZ-04"), issue_token(tmp_path, "GGZ-04")
    other = issue_token(tmp_path, "VVT-01")
    revoked = revoke_tokens(tmp_path, "GGZ-04")
    assert {r.token_id for r in revoked} == {first.record.token_id, second.record.token_id}
    assert find_token(tmp_path, first.token) is None
    assert find_token(tmp_path, second.token) is None
    assert find_token(tmp_path, other.token) == other.record
    with pytest.raises(AccessError, match="no active token"):
        revoke_tokens(tmp_path, "GGZ-04")
    assert len(read_tokens(tmp_path)) == 3


def test_a_damaged_token_file_is_a_clear_error(tmp_path: Path) -> None:
    tokens_path(tmp_path).parent.mkdir(parents=True)
    tokens_path(tmp_path).write_text("{not json", encoding="utf-8")
    with pytest.raises(AccessError, match=r"dashboard_tokens\.json: not a token file"):
        read_tokens(tmp_path)
    assert find_token(tmp_path, "wfe_anything") is None


def _marts(data_dir: Path, employers: list[str]) -> None:
    (data_dir / "marts").mkdir(parents=True)
    pl.DataFrame({"employer_id": employers}).write_parquet(
        data_dir / "marts" / "workforce_monthly.parquet"
    )


def test_token_commands_issue_list_and_revoke(tmp_path: Path) -> None:
    _marts(tmp_path, ["GGZ-04", "VVT-01"])
    issued = runner.invoke(
        app, ["dashboard", "token", "issue", "GGZ-04", "--data-dir", str(tmp_path)]
    )
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("wfe_")
    assert find_token(tmp_path, token) is not None
    listed = runner.invoke(app, ["dashboard", "token", "list", "--data-dir", str(tmp_path)])
    assert "GGZ-04" in listed.output
    assert "active" in listed.output
    assert token not in listed.output
    revoked = runner.invoke(
        app, ["dashboard", "token", "revoke", "GGZ-04", "--data-dir", str(tmp_path)]
    )
    assert revoked.exit_code == 0
    assert find_token(tmp_path, token) is None


def test_token_for_an_unknown_employer_is_refused_clearly(tmp_path: Path) -> None:
    _marts(tmp_path, ["GGZ-04"])
    result = runner.invoke(
        app, ["dashboard", "token", "issue", "GGZ-99", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "GGZ-99: not an employer in" in result.output
    assert "Traceback" not in result.output
    assert not tokens_path(tmp_path).exists()
    missing = runner.invoke(
        app, ["dashboard", "token", "revoke", "GGZ-04", "--data-dir", str(tmp_path)]
    )
    assert missing.exit_code == 2
    assert "no active token" in missing.output


def _issue_many(data_dir: str, employer: str, count: int) -> None:
    for _ in range(count):
        issue_token(Path(data_dir), employer)


def test_two_commands_at_once_lose_no_token(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_issue_many, args=(str(tmp_path), employer, 15))
        for employer in ("GGZ-04", "VVT-01")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    records = read_tokens(tmp_path)
    assert len(records) == 30
    assert {r.employer_id for r in records} == {"GGZ-04", "VVT-01"}
