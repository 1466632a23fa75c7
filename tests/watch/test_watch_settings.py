"""The WATCH_* settings: defaults, the guard of where the watch may connect, bad values."""

from __future__ import annotations

import html
import ipaddress
import re
from datetime import time

import pytest

from bot.settings import SettingsError
from bot.watch_texts import finding_text
from storage.watch import Seen
from tests.support.office import DEFAULT_WATCH, office_settings
from watch.config import DEFAULT_SIGNS


def test_defaults_and_the_test_harness_keeps_the_watch_on_this_machine() -> None:
    watch = office_settings(**DEFAULT_WATCH).watch
    assert (watch.time, watch.http_port, watch.https_port, watch.signs) == (
        time(6, 0), 80, 443, DEFAULT_SIGNS)
    harness = office_settings().watch
    assert harness.time is None
    config = harness.config("balangankab.go.id", (), 2.0)
    assert config.loopback_only
    assert config.allows("127.0.0.9") and not config.allows("10.0.0.5")
    assert not config.allows("203.0.113.10") and not config.allows("::1")


def test_settings_are_read_and_bad_values_name_the_setting() -> None:
    watch = office_settings(WATCH_TIME="21:30", WATCH_SUMMARY_DAY="Friday",
                            WATCH_SIGNS="Judi Online, deface", WATCH_BODY_LIMIT_KB="64",
                            WATCH_ALLOWED_NETWORKS="10.1.0.0/16, 192.168.1.0/24").watch
    assert (watch.time, watch.summary_weekday, watch.signs, watch.body_limit) == (
        time(21, 30), 4, ("judi online", "deface"), 64 * 1024)
    assert watch.allowed_networks == (ipaddress.ip_network("10.1.0.0/16"),
                                      ipaddress.ip_network("192.168.1.0/24"))
    for name, value in (("WATCH_ALLOWED_NETWORKS", "semua"), ("WATCH_TIME", "25:00"),
                        ("WATCH_HTTPS_PORT", "0"), ("WATCH_SUMMARY_DAY", "someday"),
                        ("WATCH_TIMEOUT", "inf"), ("WATCH_CA_FILE", "/tidak/ada.pem")):
        with pytest.raises(SettingsError, match=f"^{name}: invalid value"):
            office_settings(**{name: value})


def test_a_name_with_many_findings_still_fits_one_telegram_message() -> None:
    found = [Seen("x", f"kind{i}", "d" * 500, "<e>" * 500) for i in range(12)]
    text = finding_text("x.balangankab.go.id", None, found, "03-12-2026 06:00 WITA")
    shown = html.unescape(re.sub(r"<[^>]+>", "", text))  # Telegram counts after parsing
    assert len(shown) < 4096
    assert text.count("Bukti: <code>&lt;e&gt;") == 5
    assert "… dan 7 temuan lainnya" in text
