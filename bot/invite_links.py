"""Invite links for the admin's front ends (CLI, `init`): the bot's username, the deep link and
its QR code as a PNG file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import segno

from bot.settings import Settings


class LinkError(Exception):
    """One line for the operator: why no link can be made."""


async def bot_username(settings: Settings) -> str:
    """The bot's username: from Telegram's getMe when a token is set (at the configured Bot API
    server), else the BOT_USERNAME setting."""
    if settings.bot_token is None:
        if settings.bot_username is None:
            raise LinkError("no bot username: set BOT_TOKEN (its username is read from "
                            "Telegram) or BOT_USERNAME")
        return settings.bot_username
    return await username_of(settings.bot_token, settings.telegram_api_base_url)


async def username_of(token: str, base_url: str) -> str:
    """getMe with `token`; raises LinkError (never with the token in it) when it fails."""
    from telegram import Bot  # imported by the CLI, which mostly never calls Telegram
    from telegram.error import InvalidToken, TelegramError

    bot = Bot(token, base_url=base_url)
    try:
        async with bot:  # initialize() asks getMe
            me = bot.bot
    except InvalidToken:
        raise LinkError("BOT_TOKEN: Telegram does not accept this token") from None
    except TelegramError as exc:
        raise LinkError(f"BOT_TOKEN: getMe failed ({type(exc).__name__}: "
                        f"{str(exc).replace(token, '<token>')})") from None
    if not me.username:
        raise LinkError("BOT_TOKEN: getMe returned no username")
    return me.username


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def write_qr(link: str, path: Path) -> Path:
    """The link as a QR code PNG at `path`, written atomically and readable by its owner only
    (whoever holds the picture holds the invite)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".qr-", suffix=".png", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            segno.make(link, error="m").save(out, kind="png", scale=8, border=4)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
