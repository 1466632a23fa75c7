"""A local Telegram Bot API emulator for end-to-end tests and the demo.

The real python-telegram-bot ``Application`` talks HTTP to it; simulated people
(``emu.user(...)``, ``emu.group(...)``) send messages, press buttons and read what the bot sent.
"""

from bot.emulator.errors import ApiError
from bot.emulator.formatting import FormattedText, parse_html
from bot.emulator.model import ApiCall, SimFile, SimMessage, TranscriptEntry
from bot.emulator.people import SimChat, SimGroup, SimUser
from bot.emulator.ratelimit import RateLimits
from bot.emulator.server import BotApiEmulator, WebhookDelivery

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "FormattedText",
    "RateLimits",
    "SimChat",
    "SimFile",
    "SimGroup",
    "SimMessage",
    "SimUser",
    "TranscriptEntry",
    "WebhookDelivery",
    "parse_html",
]
