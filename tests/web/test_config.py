"""The secret key: strong in production, and never one shipped in the source in development."""

import os
import stat
import threading

import pytest

from moderation import config, create_app
from moderation.config import ConfigurationError, DevelopmentConfig, ProductionConfig

STRONG_KEY = "k" * 32


@pytest.fixture
def production(monkeypatch):
    """The environment production is started with, with a strong key unless a test says not."""
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/moderation")
    monkeypatch.setenv("BASE_URL", "https://moderation.example.org")
    # A subclass, so that nothing a check does to the class outlives the test.
    return type("Production", (ProductionConfig,), {})


@pytest.mark.parametrize("key", ["x", "k" * 31, "é" * 15], ids=["1 byte", "31 bytes", "30 bytes"])
def test_production_refuses_a_short_secret_key(monkeypatch, production, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError) as refused:
        production.check()
    message = str(refused.value)
    assert "SECRET_KEY must be at least 32 bytes long" in message
    assert "secrets.token_urlsafe" in message  # and says how to make a good one


def test_production_starts_with_a_32_byte_key(production):
    production.check()  # does not raise


@pytest.fixture
def development(monkeypatch, tmp_path):
    """Development on a fresh machine: no SECRET_KEY, an empty instance folder."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    return type("Development", (DevelopmentConfig,), {})


def test_development_makes_a_private_random_key_on_first_run(development, tmp_path):
    development.check()
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = development.SECRET_KEY
    assert key == key_file.read_text().strip()
    assert len(key.encode()) >= 32
    assert key != "development-only-not-secret"
    assert os.listdir(tmp_path / "instance") == ["secret_key"]  # no temporary file left


def test_development_reuses_its_key_so_sessions_survive_a_restart(development, tmp_path):
    development.check()
    first = development.SECRET_KEY
    restarted = type("Restarted", (DevelopmentConfig,), {})
    restarted.check()
    assert first == restarted.SECRET_KEY


def test_each_machine_gets_its_own_development_key(development, monkeypatch, tmp_path):
    development.check()
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "another-machine")
    other = type("Other", (DevelopmentConfig,), {})
    other.check()
    assert other.SECRET_KEY != development.SECRET_KEY


def test_processes_starting_together_share_one_development_key(development, tmp_path):
    # `make run` starts the web app and the scheduler at the same moment.
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(
        config.instance_secret_key(tmp_path / "instance"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert os.listdir(tmp_path / "instance") == ["secret_key"]


def test_secret_key_from_the_environment_wins_in_development(development, monkeypatch,
                                                             tmp_path):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    development.check()
    assert development.SECRET_KEY == STRONG_KEY
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_development_app_signs_with_its_own_key(development, monkeypatch, tmp_path):
    monkeypatch.delenv("MODERATION_CONFIG", raising=False)
    monkeypatch.setattr(config, "CONFIGS", {**config.CONFIGS, "development": development})
    apps = [create_app(development), create_app(), create_app({"TESTING": True})]
    key = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert [app.config["SECRET_KEY"] for app in apps] == [key] * 3


def test_a_damaged_development_key_file_is_a_clear_error(development, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("short\n")
    with pytest.raises(ConfigurationError, match="Delete the file and a new key will be made"):
        development.check()


def test_instance_folder_is_kept_out_of_git():
    ignored = (config.PROJECT_ROOT / ".gitignore").read_text().split()
    assert "instance/" in ignored
