"""The config loader: defaults, a TOML file, MOTCUA_* environment; refusals name the key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from appliance.settings import ApplianceSettings
from hub.config import HubConfig
from motcua.config import ConfigError, load


@dataclass(frozen=True)
class Inner:
    url: str = "http://x"
    retries: int = 3


@dataclass(frozen=True)
class Outer:
    port: int = 8080
    ratio: float = 0.5
    debug: bool = False
    tags: list[str] = field(default_factory=list)
    data: Path = Path("var/db")
    inner: Inner = field(default_factory=Inner)


def test_defaults_then_file_then_environment(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('port = 9000\ntags = ["a", "b"]\n[inner]\nretries = 5\n', encoding="utf-8")
    env = {"MOTCUA_PORT": "9100", "MOTCUA_INNER_URL": "http://y", "MOTCUA_DEBUG": "yes"}
    settings = load(Outer, path=toml, env=env)
    assert settings.port == 9100  # environment wins over the file
    assert settings.tags == ["a", "b"]
    assert settings.inner == Inner(url="http://y", retries=5)
    assert settings.debug is True
    assert settings.ratio == 0.5  # untouched default


@pytest.mark.parametrize(
    ("toml", "env", "key"),
    [
        ("port = 'eighty'\n", {}, "port"),
        ("prot = 80\n", {}, "prot"),
        ("[inner]\nretries = true\n", {}, "inner.retries"),
        ("", {"MOTCUA_PORT": "80a"}, "port (MOTCUA_PORT)"),
        ("", {"MOTCUA_DEBUG": "maybe"}, "debug (MOTCUA_DEBUG)"),
        ("inner = 3\n", {}, "inner"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path, toml, env, key):
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(Outer, path=path, env=env)
    assert caught.value.key == key
    assert key in str(caught.value)


def test_broken_toml_and_missing_file_are_named(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("port = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(Outer, path=broken, env={})
    with pytest.raises(ConfigError, match="file not found"):
        load(Outer, env={"MOTCUA_CONFIG": str(tmp_path / "nope.toml")})


def test_hub_validation_names_the_key():
    with pytest.raises(ConfigError) as caught:
        load(HubConfig, env={"MOTCUA_DAY_STARTS_AT": "25:00"})
    assert caught.value.key == "day_starts_at"
    with pytest.raises(ConfigError) as caught:
        load(HubConfig, env={"MOTCUA_UPSTREAM_KIND": "http"})
    assert caught.value.key == "upstream.base_url"
    with pytest.raises(ConfigError) as caught:
        load(HubConfig, env={"MOTCUA_TIMEZONE": "Mars/Olympus"})
    assert caught.value.key == "timezone"


def test_appliance_settings_refuse_a_bad_hub_url():
    with pytest.raises(ConfigError) as caught:
        load(ApplianceSettings, env={"MOTCUA_HUB_URL": "hub.local:8080"})
    assert caught.value.key == "hub_url"
    ok = load(ApplianceSettings, env={"MOTCUA_HUB_URL": "http://10.0.0.2:8080"})
    assert ok.hub_url == "http://10.0.0.2:8080"
