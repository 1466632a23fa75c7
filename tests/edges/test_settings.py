"""The settings loader fed arbitrary text: a value is accepted, or refused with one line that
names the setting (`SettingsError`), never any other exception."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings, SettingsError
from tests.support.office import settings_env

NAMES = (
    "BOT_TOKEN", "BOT_USERNAME", "DATABASE_PATH", "DATA_DIR", "DNS_PRIMARY", "DNS_PROVIDER",
    "DNS_SERVERS", "DNS_TIMEOUT", "DNS_TTL", "EXTRA_HOLIDAYS", "GROUP_CHAT_ID",
    "INVITE_VALID_DAYS", "LETTER_CLASSIFICATION_CODE", "LETTER_CLASSIFICATION_CODES",
    "LETTER_NUMBER_PATTERN", "LETTER_NUMBERING",
    "LETTER_TEMBUSAN", "LETTER_VERIFY_URL", "LOG_LEVEL", "MAX_OPEN_REQUESTS", "OFFICE_ADDRESS",
    "OFFICE_EMAIL", "OFFICE_EMBLEM_PATH", "OFFICE_GOVERNMENT", "OFFICE_HOURS", "OFFICE_NAME",
    "OFFICE_PHONE", "OFFICE_PLACE", "OFFICE_UNIT_CODE", "OFFICE_WEBSITE", "OPEN_SUBMISSIONS",
    "PARENT_DOMAIN", "RESERVED_NAMES", "SESSION_EXPIRY_HOURS", "STANDARD_TIMES",
    "TELEGRAM_API_BASE_URL", "TIMEZONE", "TSIG_ALGORITHM", "TSIG_KEY_NAME", "TSIG_SECRET",
    "WEBHOOK_SECRET",
)  # fmt: skip

# Text that looks a little like real values, so the parsers get past their first check.
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.:,-=/ {}abcdefhmnqrstuwxyAZ\u0660\u0967\uff11", max_size=30),
    st.sampled_from(["inf", "-inf", "nan", "1e300", "0", "-1", "99999999999999999999999",
                     "١٢", "\x00", "/proc/x", "{sequence", "{foo}/{sequence}", "a:b:c"]),
)


def check(env: dict[str, str]) -> None:
    try:
        Settings.from_mapping(env)
    except SettingsError as exc:
        text = str(exc)
        assert text and "\n" not in text, repr(text)


@given(st.sampled_from(NAMES), values)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_one_setting_with_any_text_is_accepted_or_one_line(name: str, value: str) -> None:
    check({**settings_env(), name: value})


@given(st.dictionaries(st.sampled_from(NAMES), values, max_size=6))
@settings(max_examples=500, deadline=None)
def test_several_settings_with_any_text(overrides: dict[str, str]) -> None:
    check({**settings_env(), **overrides})


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (8, 8), (0, 90, 0)).save(path)
    return path


@pytest.mark.parametrize(("name", "value", "says"), [
    ("LETTER_NUMBER_PATTERN", "{classification}/{unit}/{year}", "{sequence}"),
    ("LETTER_NUMBER_PATTERN", "{sequence}/{kode}", "unknown field {kode}"),
    ("LETTER_NUMBER_PATTERN", "{sequence", "invalid letter-number pattern"),
    ("TSIG_SECRET", "bukan base64!", "not base64"),
    ("TSIG_ALGORITHM", "hmac-sha3", "TSIG_ALGORITHM"),
    ("DNS_TIMEOUT", "inf", "at most 60"),
    ("DNS_TIMEOUT", "1e300", "at most 60"),
    ("DNS_TIMEOUT", "nan", "at most 60"),
    ("OFFICE_EMBLEM_PATH", "/nonexistent/logo.png", "cannot read the file"),
])
def test_wrong_values_are_refused_at_start(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_mapping({**settings_env(), name: value})
    assert str(info.value).startswith(f"{name}: ")
    assert says in str(info.value)


def test_emblem_must_be_a_readable_image(tmp_path: Path) -> None:
    text = tmp_path / "logo.png"
    text.write_text("not an image")
    broken = tmp_path / "broken.png"
    broken.write_bytes(_png(tmp_path / "good.png").read_bytes()[:30])
    for path, says in ((text, "not a PNG or JPEG"), (broken, "damaged image"),
                       (tmp_path, "cannot read the file")):
        with pytest.raises(SettingsError, match="OFFICE_EMBLEM_PATH") as info:
            Settings.from_mapping({**settings_env(), "OFFICE_EMBLEM_PATH": str(path)})
        assert says in str(info.value)
    good_env = {**settings_env(), "OFFICE_EMBLEM_PATH": str(tmp_path / "good.png")}
    good = Settings.from_mapping(good_env)
    assert good.office.emblem_path == tmp_path / "good.png"


def test_a_wrong_setting_stops_the_cli_before_anything_runs(tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if k not in settings_env()},
           **settings_env(), "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
           "LETTER_NUMBER_PATTERN": "{classification}/{year}"}
    done = subprocess.run([sys.executable, "-m", "bot", "db", "check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: LETTER_NUMBER_PATTERN")
    assert not (tmp_path / "bot.sqlite3").exists()
