"""The serial keypad driver, fed through a real pseudo-terminal as a keypad would feed it."""

from __future__ import annotations

import os
import queue

import pytest

from appliance.devices.keypad import KeypadDecoder, PtyKeypad, SerialKeypad, make_keypad


def test_decoder_character_mode_gives_one_key_per_byte_and_ignores_line_ends():
    keys: list[str] = []
    decoder = KeypadDecoder(keys.append)
    decoder.feed(b"1\r\n2")
    decoder.feed(b"*A")
    assert keys == ["1", "2", "*", "a"]


def test_decoder_line_mode_joins_a_key_split_across_reads():
    keys: list[str] = []
    decoder = KeypadDecoder(keys.append, line_mode=True)
    decoder.feed(b"K1\r\nK")
    assert keys == ["k1"]
    decoder.feed(b"12\r\n\r\n")
    assert keys == ["k1", "k12"]


def test_decoder_line_mode_drops_noise_without_line_end():
    keys: list[str] = []
    decoder = KeypadDecoder(keys.append, line_mode=True)
    decoder.feed(b"x" * 100)
    decoder.feed(b"K2\n")
    assert keys == ["k2"]


def _collect(keypad_keys: queue.Queue, count: int) -> list[str]:
    return [keypad_keys.get(timeout=5) for _ in range(count)]


def test_serial_driver_reads_bytes_written_to_a_pty():
    master, slave = os.openpty()
    keys: queue.Queue[str] = queue.Queue()
    driver = SerialKeypad(os.ttyname(slave), keys.put)
    driver.start()
    try:
        assert driver.connected.wait(5), "the driver never opened the pty"
        os.write(master, b"15*")
        assert _collect(keys, 3) == ["1", "5", "*"]
    finally:
        driver.stop()
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize("line_mode", [False, True])
def test_pty_fake_presses_go_through_the_serial_driver(line_mode):
    keys: queue.Queue[str] = queue.Queue()
    keypad = PtyKeypad(keys.put, line_mode=line_mode)
    keypad.start()
    try:
        assert keypad.driver.connected.wait(5)
        assert keypad.port.startswith("/dev/pts/")
        for key in ["2", "5"]:
            keypad.press(key)
        assert _collect(keys, 2) == ["2", "5"]
    finally:
        keypad.stop()


def test_serial_driver_keeps_retrying_a_missing_port_without_crashing(tmp_path):
    driver = SerialKeypad(str(tmp_path / "no-such-tty"), lambda _k: None)
    driver.start()
    try:
        assert not driver.connected.wait(0.3)
    finally:
        driver.stop()


def test_make_keypad_builds_what_the_config_names():
    assert make_keypad("none", print) is None
    assert isinstance(make_keypad("serial", print, port="/dev/ttyUSB0"), SerialKeypad)
    fake = make_keypad("pty", print)
    assert isinstance(fake, PtyKeypad)
    fake.stop()
    with pytest.raises(ValueError, match="usb"):
        make_keypad("usb", print)
