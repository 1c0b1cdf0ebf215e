"""The ``[sms]`` section: off by default, checked at start-up with messages that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import HubConfig
from motcua import config
from motcua.config import ConfigError


def test_off_by_default_and_a_hub_without_it_has_no_sms_health(tmp_path: Path) -> None:
    from hub import create_app

    settings = config.load(HubConfig, env={})
    assert settings.sms.enabled is False
    app = create_app({"db_path": str(tmp_path / "hub.sqlite3")})
    assert "motcua.sms" not in app.extensions
    assert "sms" not in app.test_client().get("/healthz").get_json()
    app.extensions["motcua.store"].close()


def test_toml_and_environment(tmp_path: Path) -> None:
    file = tmp_path / "hub.toml"
    file.write_text('[sms]\nenabled = true\nports = ["/dev/ttyUSB*"]\npin = "1234"\n')
    env = {"MOTCUA_SMS_SEND_INTERVAL_S": "5", "MOTCUA_SMS_PORTS": "/dev/serial/by-id/*,/dev/x"}
    sms = config.load(HubConfig, path=file, env=env).sms
    assert (sms.enabled, sms.pin, sms.send_interval_s) == (True, "1234", 5.0)
    assert sms.ports == ["/dev/serial/by-id/*", "/dev/x"]


@pytest.mark.parametrize(
    ("sms", "key", "says"),
    [({"mode": "fast"}, "sms.mode", "auto, pdu or text"),
     ({"pin": "12"}, "sms.pin", "4 to 8 digits"),
     ({"enabled": True, "ports": []}, "sms.ports", "at least one"),
     ({"per_number_hour": 20, "per_number_day": 10}, "sms.per_number_day", "per_number_hour"),
     ({"send_interval_s": 0}, "sms.send_interval_s", "3-6 s"),
     ({"baudrate": 1234}, "sms.baudrate", "serial speed"),
     ({"country_code": "+84"}, "sms.country_code", "digits"),
     ({"language": "fr"}, "sms.language", "vi or en"),
     ({"modem": "x"}, "sms.modem", "unknown setting")],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_key(sms: dict, key: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(HubConfig, env={}, overrides={"sms": sms})
    assert caught.value.key == key and says in str(caught.value)
