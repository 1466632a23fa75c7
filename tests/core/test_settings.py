from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.settings import (
    DEFAULT_API_BASE_URL,
    OFFICE_SETTINGS,
    MissingSettings,
    Settings,
    SettingsError,
)
from bot.worktime import resolve_tz
from bot.zones import local_time, zone_label
from devtools.profile import demo_office
from tests.support.office import (
    BALANGAN,
    DEFAULT_WATCH,
    SLEMAN,
    office_settings,
    settings_env,
)

ROOT = Path(__file__).resolve().parents[2]


def example_file() -> dict[str, str]:
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            example[key] = value
    return example


def test_the_example_file_shows_the_demo_office_and_every_default() -> None:
    from_example = Settings.from_mapping({k: v for k, v in example_file().items() if v})
    # The test harness keeps the watch off and on loopback; the example shows the defaults.
    assert from_example == demo_office() == office_settings(**DEFAULT_WATCH)
    s = office_settings()
    assert s.bot_token is None
    assert s.telegram_api_base_url == DEFAULT_API_BASE_URL
    assert s.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert s.parent_domain == "balangankab.go.id"
    assert str(s.timezone) == "Asia/Makassar"
    assert s.database_path == Path("data/subdomain-bot.sqlite3")
    assert s.office.tembusan is None  # each outcome template's own Tembusan line
    assert (s.office.postal_code, s.office.page.paper) == ("71618", "A4")
    assert set(OFFICE_SETTINGS) <= set(example_file())


def test_the_office_identity_has_no_default() -> None:
    with pytest.raises(MissingSettings) as info:
        Settings.from_mapping({})
    message = str(info.value)
    assert message.startswith("missing settings: " + ", ".join(OFFICE_SETTINGS))
    assert "\n" not in message
    partly = {k: v for k, v in BALANGAN.items() if k not in ("OFFICE_PLACE", "TIMEZONE")}
    with pytest.raises(MissingSettings) as info:
        Settings.from_mapping(partly)
    assert info.value.names == ("OFFICE_PLACE", "TIMEZONE")
    blank = {**BALANGAN, "PARENT_DOMAIN": "  "}
    with pytest.raises(MissingSettings, match="missing settings: PARENT_DOMAIN "):
        Settings.from_mapping(blank)


def test_without_tembusan_each_letter_takes_its_template_s() -> None:
    env = {k: v for k, v in BALANGAN.items() if k != "LETTER_TEMBUSAN"}
    assert Settings.from_mapping(env).office.tembusan is None
    assert office_settings(LETTER_TEMBUSAN="Bupati X, Y (laporan) ;; Arsip").office.tembusan \
        == ("Bupati X, Y (laporan)", "Arsip")


@pytest.mark.parametrize(("env", "named"), [
    ({"TIMEZONE": "Nowhere/City"}, "TIMEZONE"),
    ({"TIMEZONE": "WIB"}, "TIMEZONE"),
    ({"GROUP_CHAT_ID": "group"}, "GROUP_CHAT_ID"),
    ({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot/"}, "TELEGRAM_API_BASE_URL"),
    ({"TELEGRAM_API_BASE_URL": "ftp://x/bot"}, "TELEGRAM_API_BASE_URL"),
    ({"PARENT_DOMAIN": "not a domain"}, "PARENT_DOMAIN"),
    ({"BOT_TOKEN": "secret-without-colon"}, "BOT_TOKEN"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"BOT_USERNAME": "not a name"}, "BOT_USERNAME"),
    ({"INVITE_VALID_DAYS": "0"}, "INVITE_VALID_DAYS"),
    ({"OPEN_SUBMISSIONS": "maybe"}, "OPEN_SUBMISSIONS"),
    ({"MAX_OPEN_REQUESTS": "-1"}, "MAX_OPEN_REQUESTS"),
    ({"PACE_PRIVATE_PER_SECOND": "-1"}, "PACE_PRIVATE_PER_SECOND"),
    ({"PACE_OVERALL_PER_SECOND": "nan"}, "PACE_OVERALL_PER_SECOND"),
    ({"PACE_GROUP_BURST": "0"}, "PACE_GROUP_BURST"),
    ({"TSIG_ALGORITHM": "hmac-sha999"}, "TSIG_ALGORITHM"),
    ({"TSIG_SECRET": "geheim!geheim"}, "TSIG_SECRET"),
])
def test_wrong_values_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_mapping(settings_env(**env))
    assert str(info.value).startswith(f"{named}:")
    assert "\n" not in str(info.value)


def test_token_is_not_in_the_repr() -> None:
    s = office_settings(BOT_TOKEN="123456:SECRET-TOKEN")
    assert s.bot_token == "123456:SECRET-TOKEN"
    assert "SECRET-TOKEN" not in repr(s)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in SLEMAN.items())
                        + "GROUP_CHAT_ID=-100123\nPARENT_DOMAIN=contoh.go.id\n")
    monkeypatch.setenv("PARENT_DOMAIN", "lain.go.id")
    s = Settings.load(env_file=env_file)
    assert s.group_chat_id == -100123
    assert s.parent_domain == "lain.go.id"
    assert s.office.place == "Sleman"
    local = office_settings(TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot")
    assert local.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"


def test_onboarding_and_filing_settings() -> None:
    s = office_settings(BOT_USERNAME="@kominfo_bot", INVITE_VALID_DAYS="3",
                        OPEN_SUBMISSIONS="true", MAX_OPEN_REQUESTS="0")
    assert (s.bot_username, s.invite_valid_days, s.open_submissions, s.max_open_requests) == (
        "kominfo_bot", 3, True, 0)
    defaults = office_settings()
    assert (defaults.bot_username, defaults.invite_valid_days, defaults.open_submissions,
            defaults.max_open_requests) == (None, 7, False, 3)


def test_a_bad_tsig_secret_is_named_but_never_shown() -> None:
    with pytest.raises(SettingsError) as info:
        office_settings(TSIG_SECRET="geheim!geheim")
    assert "geheim" not in str(info.value)


@pytest.mark.parametrize(("zone", "label"), [
    ("Asia/Jakarta", "WIB"), ("Asia/Pontianak", "WIB"), ("Asia/Makassar", "WITA"),
    ("Asia/Jayapura", "WIT"), ("Asia/Tokyo", "UTC+9"), ("Asia/Kolkata", "UTC+5:30"),
    ("America/Sao_Paulo", "UTC-3"), ("UTC", "UTC"), ("Asia/Kathmandu", "UTC+5:45"),
])
def test_the_zone_label_comes_from_the_zone(zone: str, label: str) -> None:
    assert zone_label(ZoneInfo(zone)) == label
    assert office_settings(TIMEZONE=zone).zone_label() == label


def test_zone_labels_follow_daylight_saving_and_fixed_stand_ins() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert zone_label(berlin, datetime(2026, 1, 15, tzinfo=UTC)) == "UTC+1"
    assert zone_label(berlin, datetime(2026, 7, 15, tzinfo=UTC)) == "UTC+2"
    assert zone_label(timezone(timedelta(hours=7), "Asia/Jakarta")) == "WIB"
    assert zone_label(timezone(timedelta(hours=8))) == "UTC+8"
    assert zone_label(resolve_tz("Asia/Jayapura")) == "WIT"


def test_a_local_time_is_on_the_office_clock_with_its_label() -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert local_time(late, ZoneInfo("Asia/Jakarta")) == "01-12-2026 pukul 06.30 WIB"
    assert local_time(late, ZoneInfo("Asia/Makassar")) == "01-12-2026 pukul 07.30 WITA"
    assert local_time(late, ZoneInfo("Asia/Jayapura")) == "01-12-2026 pukul 08.30 WIT"
    assert local_time(late, ZoneInfo("Asia/Kolkata")) == "01-12-2026 pukul 05.00 UTC+5:30"


@pytest.mark.parametrize("args", [["run"], ["role", "list"], ["report", "--month", "2026-11"]])
def test_commands_without_the_office_settings_say_which_are_missing(
        tmp_path: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in OFFICE_SETTINGS and k != "BOT_TOKEN"}
    env["OFFICE_PLACE"] = "Sleman"
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    missing = [name for name in OFFICE_SETTINGS if name != "OFFICE_PLACE"]
    assert done.stderr == f"error: missing settings: {', '.join(missing)} (set them in .env or " \
        "the environment; .env.example shows each one)\n"
    assert done.stdout == ""
    assert not (tmp_path / "data").exists()


def test_paper_and_margins_are_settings() -> None:
    f4 = office_settings(LETTER_PAPER="f4", LETTER_MARGINS="2, 2, 2.5, 3").office.page
    assert (f4.paper, f4.top, f4.right, f4.bottom, f4.left) == ("F4", 2.0, 2.0, 2.5, 3.0)
    with pytest.raises(SettingsError, match="LETTER_PAPER"):
        office_settings(LETTER_PAPER="Letter")
    with pytest.raises(SettingsError, match="LETTER_MARGINS"):
        office_settings(LETTER_MARGINS="2,5")
    with pytest.raises(SettingsError, match="LETTER_MARGINS"):
        office_settings(LETTER_MARGINS="2,2,2,9")
