"""Invite codes and what redeeming one says (pure: no storage, no Telegram).

A code is 32 characters of `secrets.token_urlsafe` (192 random bits), within what Telegram
allows in a `?start=` parameter (A-Z, a-z, 0-9, _ and -, at most 64). Only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from html import escape

from bot.workflow import Workflow
from storage.invites import InviteSpec, Unavailable
from storage.models import OutMessage

CODE_BYTES = 24
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(text))


REFUSED = {
    Unavailable.UNKNOWN: "Mohon maaf, tautan undangan ini tidak dikenal. Mohon minta tautan "
                         "baru kepada admin.",
    Unavailable.EXPIRED: "Mohon maaf, tautan undangan ini sudah kedaluwarsa. Mohon minta tautan "
                         "baru kepada admin.",
    Unavailable.USED: "Mohon maaf, tautan undangan ini sudah pernah digunakan. Mohon minta "
                      "tautan baru kepada admin.",
}
ALREADY_MINE = "Tautan undangan ini sudah Bapak/Ibu gunakan; Bapak/Ibu telah terdaftar."
PRIVATE_ONLY = "Mohon buka tautan undangan di chat pribadi dengan bot ini."


def _date_id(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def what(workflow: Workflow, spec: InviteSpec) -> str:
    """What the invite makes its redeemer, in Indonesian (plain text)."""
    if spec.agency is not None:
        return f"kontak {spec.agency.name}"
    title = workflow.title(str(spec.position))
    if spec.acting:
        title = f"{spec.acting.capitalize()}. {title}"
        if spec.valid_until:
            title += f" s.d. {_date_id(spec.valid_until)}"
    return title


ASK_NIK = ("\nSurat yang Bapak/Ibu tandatangani memakai tanda tangan elektronik BSrE. Mohon "
           "kirim NIK (16 angka) atau alamat surel yang terdaftar di BSrE dengan perintah "
           "<code>/nik NIK</code>, misalnya <code>/nik 6308xxxxxxxxxxxx</code>. Pesan tersebut "
           "segera dihapus. Frasa sandi (passphrase) tidak perlu dikirim sekarang; bot "
           "memintanya hanya saat Bapak/Ibu menandatangani surat.")
"""Asked in the welcome of a signatory invited under SIGNING_PROVIDER=bsre whose invite does
not carry the NIK (`role invite … --nik`)."""


def welcome(workflow: Workflow, spec: InviteSpec, chat_id: int, *,
            ask_nik: bool = False) -> OutMessage:
    if spec.agency is not None:
        rest = ("Bapak/Ibu dapat mengajukan permohonan subdomain untuk "
                f"{escape(spec.agency.name)} dengan /ajukan dan memantaunya dengan /status.")
    else:
        rest = ("Tahap yang menjadi tugas Bapak/Ibu akan dikirimkan di sini; /tugas menampilkan "
                "tahap yang sedang menunggu.")
    text = (f"Selamat datang, {escape(spec.name)}. Bapak/Ibu kini terdaftar sebagai "
            f"<b>{escape(what(workflow, spec))}</b>.\n{rest}{ASK_NIK if ask_nik else ''}")
    return OutMessage(chat_id, "message", {"text": text, "buttons": []})


def tell_admin(workflow: Workflow, spec: InviteSpec, telegram_user_id: int,
               chat_id: int) -> OutMessage:
    text = (f"Tautan undangan telah digunakan: {escape(spec.name)} (ID Telegram "
            f"{telegram_user_id}) kini terdaftar sebagai {escape(what(workflow, spec))}. "
            "Yang bersangkutan telah membuka chat dengan bot, sehingga dapat dihubungi oleh "
            "bot.")
    return OutMessage(chat_id, "message", {"text": text, "buttons": []})
