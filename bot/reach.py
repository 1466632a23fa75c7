"""Can the bot reach a person? What the admin is told when giving someone a position.

The bot can only write to someone who has opened it (pressed Start) and not blocked it. What
it knows: the person wrote to it in their private chat, messages were delivered there, or
messages are kept because Telegram refused them (403: blocked, or never opened). Where a token
is configured, the CLI can also ask Telegram now (`probe`: a "typing…" chat action, the one
harmless call that fails exactly when a message would).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html import escape

from bot.settings import Settings
from storage.contacts import ChatFacts


class Reach(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def reach(facts: ChatFacts) -> Reach:
    """Kept messages win: `heard_from` sends them again (and clears them) when the person
    writes, so any still kept were refused after the person last wrote."""
    if facts.kept:
        return Reach.NO
    if facts.wrote or facts.delivered:
        return Reach.YES
    return Reach.UNKNOWN


@dataclass(frozen=True)
class Probe:
    reachable: bool | None
    """None: Telegram could not be asked (network, token)."""
    detail: str


async def probe(settings: Settings, chat_id: int) -> Probe | None:
    """Ask Telegram whether the bot can write to `chat_id` now (None: no token configured)."""
    if settings.bot_token is None:
        return None
    from telegram import Bot  # the CLI imports this module; most commands never call Telegram
    from telegram.constants import ChatAction
    from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

    bot = Bot(settings.bot_token, base_url=settings.telegram_api_base_url)
    token = settings.bot_token
    try:
        async with bot:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except Forbidden as exc:
        return Probe(False, f"403 {exc.message}")
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            return Probe(False, f"400 {exc.message}")
        return Probe(None, f"400 {exc.message}")
    except InvalidToken:
        return Probe(None, "Telegram does not accept BOT_TOKEN")
    except TelegramError as exc:
        return Probe(None, f"{type(exc).__name__}: {str(exc).replace(token, '<token>')}")
    return Probe(True, "ok")


ASK_TO_START = "ask them to open the bot in Telegram and press Start"


def cli_lines(facts: ChatFacts, checked: Probe | None) -> list[str]:
    """What `role set` prints about reaching the person (English, for the operator)."""
    known = reach(facts)
    if known is Reach.NO:
        line = (f"reachable: NO - {facts.kept} message(s) kept, Telegram answered "
                f"{facts.error or 'an error'}; {ASK_TO_START} (kept messages are sent then)")
    elif known is Reach.YES:
        line = ("reachable: yes - they have written to the bot" if facts.wrote else
                "reachable: yes - messages were delivered to them")
    else:
        line = f"reachable: not known - they have never written to the bot; {ASK_TO_START}"
    lines = [line]
    if checked is not None:
        now = {True: "reachable", False: "NOT reachable", None: "could not ask"}[
            checked.reachable]
        lines.append(f"telegram now (sendChatAction): {now}"
                     + ("" if checked.reachable else f" ({checked.detail})"))
        if checked.reachable is False and known is not Reach.NO:
            lines.append(f"  the bot cannot write to them yet; {ASK_TO_START}")
    return lines


def chat_line(facts: ChatFacts) -> str:
    """The same for an admin in the chat (/peran), in Indonesian."""
    known = reach(facts)
    if known is Reach.YES:
        return "Yang bersangkutan dapat dihubungi oleh bot."
    start = ("Mohon minta yang bersangkutan membuka chat dengan bot dan menekan Mulai "
             "(Start).")
    if known is Reach.NO:
        return (f"⚠️ Bot tidak dapat menghubungi yang bersangkutan ({escape(facts.error or '')});"
                f" {facts.kept} pesan tertunda. {start}")
    return f"⚠️ Yang bersangkutan belum pernah menghubungi bot. {start}"
