"""A local Telegram Bot API emulator for end-to-end tests and the demo.

The real python-telegram-bot ``Application`` talks HTTP to it; simulated people
(``emu.user(...)``, ``emu.group(...)``) send messages, press buttons and read what the bot sent::

    async with BotApiEmulator(token="123:ABC") as emu:
        app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
               .base_file_url(emu.base_file_url).build())
        alice = emu.user(1001, "Alice", username="alice", phone="+6281234")
        ...start the app (polling or webhook)...
        await alice.send_command("/start")
        msg = await alice.wait_for("Nomor")           # next new/edited bot message matching
        answer = await alice.press(msg, "Setujui")    # callback answer text
        print(emu.transcript_text())

Deliberate differences from Telegram: webhooks may use plain http (tests run on 127.0.0.1),
only the HTML parse mode is implemented (others are refused loudly), inline-mode and
business methods do not exist (404 "method not found"), and text length is counted in UTF-16
code units (never more lenient than Telegram). Flood limits follow Telegram's guidance
(``RateLimits``); pass ``rate_limits=None`` or set ``emu.rate_limits = None`` to turn them off.
"""

from devtools.emulator.errors import ApiError
from devtools.emulator.formatting import FormattedText, parse_html
from devtools.emulator.model import ApiCall, SimFile, SimMessage, TranscriptEntry
from devtools.emulator.people import SimChat, SimGroup, SimUser
from devtools.emulator.ratelimit import RateLimits
from devtools.emulator.server import BotApiEmulator, Hold, WebhookDelivery

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "FormattedText",
    "Hold",
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
