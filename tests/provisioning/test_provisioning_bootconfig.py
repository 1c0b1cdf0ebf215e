"""The boot file's checks, the shipped examples, and the catalog behind every message."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from motcua.i18n import load_catalog
from provisioning import bootconfig
from provisioning.bootconfig import BootConfigError
from provisioning.texts import render

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(PROJECT.glob("images/*/filesystem/boot/motcua.toml.example"))


def problems(table: dict) -> list[str]:
    """Every problem of a boot file, in English."""
    with pytest.raises(BootConfigError) as caught:
        bootconfig.check(table)
    return [render(p).split("\n    (")[1].rstrip(")") for p in caught.value.problems]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parts[-4])
def test_each_shipped_example_is_a_valid_boot_file_for_its_role(example):
    table = tomllib.loads(example.read_text(encoding="utf-8"))
    config = bootconfig.check(table)
    assert config.role == example.parts[-4]
    assert config.enroll_code == ""  # never a code in a file that ships


def test_four_examples_ship():
    assert [p.parts[-4] for p in EXAMPLES] == ["counter", "display", "hub", "kiosk"]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({}, "'role' must be one of hub, kiosk, counter, display (not '')."),
        ({"role": "display", "hub_url": "http://h:8080", "zone_counters": [0]},
         "'zone_counters' must be counter numbers like [1, 2, 3]."),
        ({"role": "counter", "hub_url": "http://h:8080"},
         "A counter panel needs 'counter': the number of the counter it stands at."),
        ({"role": "counter", "hub_url": "http://h:8080", "counter": True},
         "'counter' must be a whole number, not True."),
        ({"role": "kiosk", "hub_url": "http://h:8080", "printer": "network"},
         "A network printer needs 'printer_host', its IP address."),
        ({"role": "kiosk", "hub_url": "https://h", "printer": "simulated"},
         "'hub_url' must look like http://192.168.1.10:8080 (not 'https://h')."),
        ({"role": "hub", "ssh_key": "hello"},
         "'ssh_key' must be one public key line, like \"ssh-ed25519 AAAA… name\"."),
        ({"role": "hub", "admin_user": "an admin"},
         "'admin_user' must be letters, digits, '.', '_' or '-' (not 'an admin')."),
        ({"role": "hub", "enroll_code": "1234-5678"},
         "'enroll_code' is not a setting of a hub: remove it."),
        ({"role": "counter", "hub_url": "http://h:8080", "counter": 1, "read_only_root": "yes"},
         "'read_only_root' must be true or false, not yes."),
        ({"role": "kiosk", "hub_url": "http://h:8080", "printer": "simulated",
          "read_only_root": True},
         "A kiosk cannot have a read-only root: the ticket numbers it gives while the hub is "
         "away must survive a power cut. Remove 'read_only_root'."),
        ({"role": "hub", "read_only_root": True},
         "'read_only_root' is not a setting of a hub: remove it."),
    ],
)  # fmt: skip
def test_each_mistake_is_named(table, expected):
    assert expected in problems(table)


def test_a_code_is_accepted_with_or_without_its_dash_and_erased_only_once():
    config = bootconfig.check(
        {"role": "display", "hub_url": "http://192.168.1.10:8080", "enroll_code": "12345678"}
    )
    assert config.hub_host == "192.168.1.10"
    text = 'role = "display"\nenroll_code = "1234-5678"  # from the admin\n'
    erased = bootconfig.erase_code(text, "used today")
    assert erased == 'role = "display"\nenroll_code = ""  # used today\n'
    assert bootconfig.erase_code(erased, "used tomorrow") == erased


def test_every_text_provisioning_shows_has_its_vietnamese():
    catalog = load_catalog("provisioning", "vi")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    used = {
        message
        for _, _, message, _, _ in extract_from_dir(
            PROJECT / "provisioning", method_map=[("**.py", "python")], keywords={"N_": None}
        )
    }
    assert used - translated == set()
    assert translated - used == set()  # nothing stale either
    for message in catalog:  # every {placeholder} survives translation
        if message.id:
            assert set(re.findall(r"\{\w+\}", message.id)) == set(
                re.findall(r"\{\w+\}", message.string)
            ), message.id
