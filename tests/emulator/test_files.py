"""Documents and photos: uploads by the user, getFile + download by the bot, uploads back."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from devtools.emulator import BotApiEmulator
from tests.support.emulator import build_application, running_bot

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    telegram_file = await message.document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    await message.reply_text(f"Diterima {message.document.file_name}: {len(data)} byte.")
    # Upload a new file (multipart) and then resend the user's file by its file_id.
    await message.reply_document(
        data[::-1], filename="balasan.pdf", caption="Surat <b>balasan</b>", parse_mode="HTML"
    )
    await message.reply_document(message.document.file_id, caption="Salinan")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    largest = await message.photo[-1].get_file()
    data = await largest.download_as_bytearray()
    await message.reply_photo(bytes(data), caption=f"{len(message.photo)} ukuran")


async def test_document_round_trip(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    app = build_application(
        emulator,
        [MessageHandler(filters.Document.ALL, receive), MessageHandler(filters.PHOTO, photo)],
    )
    async with running_bot(app):
        await alice.send_document(PDF, filename="surat.pdf", caption="Permohonan")
        noted = await alice.wait_for("Diterima")
        assert noted.text == f"Diterima surat.pdf: {len(PDF)} byte."

        reply = await alice.wait_for(lambda m: m.document is not None)
        assert reply.document is not None
        assert reply.document.filename == "balasan.pdf"
        assert reply.document.data == PDF[::-1]
        assert reply.document.mime_type == "application/pdf"
        assert reply.caption == "Surat balasan" and reply.text == ""
        assert reply.content == "Surat balasan"

        copy = await alice.wait_for("Salinan")
        assert copy.document is not None and copy.document.data == PDF
        assert copy.document.filename == "surat.pdf"

        await alice.send_photo(b"\xff\xd8\xff\xe0 fake jpeg")
        echoed = await alice.wait_for(lambda m: m.photo is not None)
        assert echoed.caption == "3 ukuran"
        assert echoed.photo is not None and echoed.photo.data == b"\xff\xd8\xff\xe0 fake jpeg"

    assert emulator.sent_count("sendDocument") == 2
    assert emulator.sent_count("getFile") == 2
    assert "Alice → Bot: 📄 surat.pdf" in emulator.transcript_text()
