"""Dagster's SQLite history is written without a disk flush per event, unless asked otherwise."""

import pytest
from sqlalchemy import create_engine, text

import orchestration.dagster_history  # noqa: F401  (registers the connection hook)


def _synchronous(tmp_path) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'history.db'}")
    with engine.connect() as connection:
        value = connection.execute(text("PRAGMA synchronous")).scalar()
    engine.dispose()
    return value


def test_sqlite_history_skips_the_flush_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("CW_DAGSTER_SQLITE_SYNCHRONOUS", raising=False)
    assert _synchronous(tmp_path) == 0  # OFF


def test_full_durability_can_be_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("CW_DAGSTER_SQLITE_SYNCHRONOUS", "full")
    assert _synchronous(tmp_path) == 2  # FULL


def test_an_unknown_mode_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("CW_DAGSTER_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="CW_DAGSTER_SQLITE_SYNCHRONOUS='SOMETIMES'"):
        _synchronous(tmp_path)
