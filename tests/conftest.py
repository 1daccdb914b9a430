"""Fixtures every kind of test shares: an isolated data folder and the databases to run on."""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own carewise data folder, so nothing touches the user's real one."""
    from carewise.settings import get_settings

    monkeypatch.setenv("CAREWISE_DATA_DIR", str(tmp_path / "carewise-data"))
    monkeypatch.delenv("CAREWISE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAREWISE_COUNCIL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "carewise-data"
    get_settings.cache_clear()


def _postgres_url() -> str | None:
    return os.environ.get("CAREWISE_TEST_POSTGRES_URL")


def _fresh_postgres_schema(base_url: str) -> tuple[str, callable]:
    """A new PostgreSQL schema per test, dropped afterwards (tests never see each other's rows)."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    url = f"{base_url}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return url, drop


def _db_params():
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(
        pytest.param(
            "postgresql",
            id="postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(_postgres_url() is None, reason="CAREWISE_TEST_POSTGRES_URL is not set"),
            ],
        )
    )
    return params


@pytest.fixture(params=_db_params())
def db_url(request, tmp_path):
    """A database URL: SQLite always, and PostgreSQL when CAREWISE_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url, drop = _fresh_postgres_schema(_postgres_url())
    try:
        yield url
    finally:
        from sqlalchemy.orm import close_all_sessions

        close_all_sessions()
        drop()
