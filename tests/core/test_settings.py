from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_BASE_URL, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_match_the_example_file() -> None:
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            example[key] = value
    from_example = Settings.from_mapping({k: v for k, v in example.items() if v})
    assert from_example == Settings.from_mapping({})
    s = Settings.from_mapping({})
    assert s.bot_token is None
    assert s.telegram_api_base_url == DEFAULT_API_BASE_URL
    assert s.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert s.parent_domain == "balangankab.go.id"
    assert str(s.timezone) == "Asia/Makassar"
    assert s.database_path == Path("data/subdomain-bot.sqlite3")


@pytest.mark.parametrize(("env", "named"), [
    ({"TIMEZONE": "Nowhere/City"}, "TIMEZONE"),
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
    ({"TSIG_ALGORITHM": "hmac-sha999"}, "TSIG_ALGORITHM"),
    ({"TSIG_SECRET": "geheim!geheim"}, "TSIG_SECRET"),
])
def test_wrong_values_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_mapping(env)
    assert str(info.value).startswith(f"{named}:")
    assert "\n" not in str(info.value)


def test_token_is_not_in_the_repr() -> None:
    s = Settings.from_mapping({"BOT_TOKEN": "123456:SECRET-TOKEN"})
    assert s.bot_token == "123456:SECRET-TOKEN"
    assert "SECRET-TOKEN" not in repr(s)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GROUP_CHAT_ID=-100123\nPARENT_DOMAIN=contoh.go.id\n")
    monkeypatch.setenv("PARENT_DOMAIN", "lain.go.id")
    s = Settings.load(env_file=env_file)
    assert s.group_chat_id == -100123
    assert s.parent_domain == "lain.go.id"
    local = Settings.from_mapping({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert local.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"


def test_onboarding_and_filing_settings() -> None:
    s = Settings.from_mapping({"BOT_USERNAME": "@kominfo_bot", "INVITE_VALID_DAYS": "3",
                               "OPEN_SUBMISSIONS": "true", "MAX_OPEN_REQUESTS": "0"})
    assert (s.bot_username, s.invite_valid_days, s.open_submissions, s.max_open_requests) == (
        "kominfo_bot", 3, True, 0)
    defaults = Settings.from_mapping({})
    assert (defaults.bot_username, defaults.invite_valid_days, defaults.open_submissions,
            defaults.max_open_requests) == (None, 7, False, 3)


def test_a_bad_tsig_secret_is_named_but_never_shown() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_mapping({"TSIG_SECRET": "geheim!geheim"})
    assert "geheim" not in str(info.value)
