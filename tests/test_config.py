"""Configuration that runs with nothing set, and honours the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def config_value(name: str, **env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "COMPOSURE_INSTANCE_DIR")
    }
    result = subprocess.run(
        [sys.executable, "-c", f"from config import Config; print(Config.{name})"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = config_value("SECRET_KEY", COMPOSURE_INSTANCE_DIR=str(tmp_path))
    second = config_value("SECRET_KEY", COMPOSURE_INSTANCE_DIR=str(tmp_path))
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (
        config_value("SECRET_KEY", COMPOSURE_INSTANCE_DIR=str(tmp_path), SECRET_KEY="from-env")
        == "from-env"
    )


def test_sqlite_by_default_postgresql_by_url(tmp_path):
    assert (
        config_value("SQLALCHEMY_DATABASE_URI", COMPOSURE_INSTANCE_DIR=str(tmp_path))
        == f"sqlite:///{tmp_path / 'composure.sqlite3'}"
    )
    for given in ("postgres://u:p@db/c", "postgresql://u:p@db/c", "postgresql+psycopg://u:p@db/c"):
        assert (
            config_value(
                "SQLALCHEMY_DATABASE_URI", COMPOSURE_INSTANCE_DIR=str(tmp_path), DATABASE_URL=given
            )
            == "postgresql+psycopg://u:p@db/c"
        )


def test_numbers_from_the_environment_are_checked(tmp_path):
    assert (
        config_value(
            "LOGIN_MAX_FAILURES", COMPOSURE_INSTANCE_DIR=str(tmp_path), LOGIN_MAX_FAILURES="3"
        )
        == "3"
    )
    failed = subprocess.run(
        [sys.executable, "-c", "import config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COMPOSURE_INSTANCE_DIR": str(tmp_path), "LOGIN_MAX_FAILURES": "lots"},
    )
    assert failed.returncode != 0
    assert "LOGIN_MAX_FAILURES must be a whole number, got 'lots'" in failed.stderr


def test_the_database_pool_is_sized_from_the_environment_when_set(tmp_path):
    instance = {"COMPOSURE_INSTANCE_DIR": str(tmp_path)}
    default = config_value("SQLALCHEMY_ENGINE_OPTIONS", **instance)
    assert "'pool_size': 5, 'max_overflow': 10" in default
    sized = config_value(
        "SQLALCHEMY_ENGINE_OPTIONS", DATABASE_POOL_SIZE="16", DATABASE_MAX_OVERFLOW="4", **instance
    )
    assert "'pool_pre_ping': True, 'pool_size': 16, 'max_overflow': 4" in sized
