"""All update handlers, registered in one ordered block."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import admin, common, esign, reconfirm, reports, status, steps, submit, technical

if TYPE_CHECKING:
    from bot.handlers.context import BotApp


def register(app: BotApp) -> None:
    text = filters.TEXT & ~filters.COMMAND
    # Before anything else: a person who could not be reached is writing again.
    app.add_handler(TypeHandler(Update, common.heard_from), group=-2)
    # The requester's open form takes the messages that answer it (nothing after sees them).
    app.add_handler(submit.message_handler(), group=-1)
    for handler in submit.handlers():
        app.add_handler(handler)
    # Commands.
    app.add_handler(CommandHandler("start", common.start))
    app.add_handler(CommandHandler("bantuan", common.help_command))
    app.add_handler(CommandHandler("help", common.help_command))
    app.add_handler(CommandHandler("batal", steps.cancel))
    app.add_handler(CommandHandler("status", status.status))
    app.add_handler(CommandHandler("tugas", status.tasks))
    app.add_handler(CommandHandler("riwayat", status.history))
    app.add_handler(CommandHandler("peran", admin.roles))
    app.add_handler(CommandHandler("laporan", reports.month_report))
    app.add_handler(CommandHandler("nik", esign.nik))
    app.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    # Step buttons, then the choices and notes they ask for.
    app.add_handler(CallbackQueryHandler(steps.on_action_button, pattern=r"^a:"))
    app.add_handler(CallbackQueryHandler(steps.on_choice, pattern=r"^(n:\w+|r:\w+)$"))
    app.add_handler(MessageHandler(text, steps.on_note_text), group=1)
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, steps.on_document),
                    group=1)
    # Re-run the DNS check at step 4; the disposition sheet from /riwayat.
    app.add_handler(CallbackQueryHandler(technical.recheck, pattern=r"^chk:\d+$"))
    app.add_handler(CallbackQueryHandler(reconfirm.on_answer, pattern=r"^rc:\d+:[yn]$"))
    app.add_handler(CallbackQueryHandler(technical.disposition_sheet, pattern=r"^sheet:\d+$"))
    app.add_handler(CallbackQueryHandler(technical.konsep, pattern=r"^konsep:\d+:\d+$"))
    # Anything else: stale or forged buttons.
    app.add_handler(CallbackQueryHandler(common.unknown_button))
