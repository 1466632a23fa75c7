"""What users read: short, formal Indonesian, HTML-escaped wherever user text appears."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

from bot import zones
from bot.revision import label_of
from bot.workflow import Step, Workflow, time_label
from storage.models import AuditEntry, Request, RequestEvent


@dataclass(frozen=True)
class Words:
    """What the texts need to know about the office: its SOP table, parent domain and zone."""

    workflow: Workflow
    parent_domain: str
    tz: tzinfo

    def fqdn(self, request: Request) -> str:
        return fqdn(request, self.parent_domain)

    def time(self, value: datetime) -> str:
        return local_time(value, self.tz)

    def state(self, state: str) -> str:
        return self.workflow.label(state)

TARGET_LABELS = {"ip": "Alamat IP", "cname": "CNAME ke", "hosting": "Hosting di Diskominfo"}


def local_time(value: datetime, tz: tzinfo) -> str:
    """``30-11-2026 pukul 06.30 WIB``: on the office's wall clock, with its zone's label."""
    return zones.local_time(value, tz)


def fqdn(request: Request, parent: str) -> str:
    """The full name under the office's parent domain (the PARENT_DOMAIN setting)."""
    return f"{request.subdomain}.{parent}"


def request_summary(w: Words, request: Request) -> str:
    target = TARGET_LABELS.get(request.target_kind, request.target_kind)
    if request.target_value:
        target += f" {escape(request.target_value)}"
    lines = [
        f"<b>{escape(request.number)}</b> — {escape(request.agency.name)}",
        *([f"Jenis permohonan: <b>{escape(kind_label(w, request.kind))}</b>"]
          if request.kind != w.workflow.kinds[0].key else []),
        f"Subdomain: <code>{escape(w.fqdn(request))}</code>",
        f"Keperluan: {escape(request.purpose)}",
        f"Tujuan: {target}",
        f"Surat: {escape(request.letter_number)} tanggal "
        f"{request.letter_date.strftime('%d-%m-%Y')}",
    ]
    if request.contact_name or request.contact_phone:
        lines.append("Kontak: " + escape(
            " ".join(x for x in (request.contact_name, request.contact_phone) if x)))
    return "\n".join(lines)


NOTES_SHOWN = 3
"""How many of the latest notes a step card repeats (the full trail is in /riwayat)."""
NOTE_SHOWN_CHARS = 400
"""Each repeated note is cut to this length so a card stays far below Telegram's 4096."""


def notes_block(notes: Sequence[tuple[str, str]]) -> str:
    """The latest (author, note) pairs, oldest first; user text, so escaped here."""
    lines = ["<b>Catatan terakhir:</b>"]
    for who, note in notes[-NOTES_SHOWN:]:
        shown = note if len(note) <= NOTE_SHOWN_CHARS else note[:NOTE_SHOWN_CHARS] + "…"
        lines.append(f"• {escape(who)}: {escape(shown)}")
    return "\n".join(lines)


def step_heading(step: Step) -> str:
    return f"<b>Tahap {step.number}: {escape(step.label)}</b>"


def step_card(w: Words, request: Request, step: Step,
              notes: Sequence[tuple[str, str]] = ()) -> str:
    lines = [
        step_heading(step),
        request_summary(w, request),
        f"Kegiatan: {escape(step.activity)}",
        f"Waktu standar: {time_label(step)}",
    ]
    if notes:
        lines.append(notes_block(notes))
    return "\n".join(lines)


def submitted(w: Words, request: Request) -> str:
    return (f"Permohonan Bapak/Ibu telah diterima dengan nomor <b>{escape(request.number)}</b> "
            f"(agenda surat masuk nomor {request.agenda_number}).\n"
            f"{request_summary(w, request)}\n"
            f"Permohonan diteruskan kepada {escape(first_holder(w, request.kind))} untuk "
            "ditindaklanjuti.")


def first_holder(w: Words, kind: str | None = None) -> str:
    """Who takes a request of `kind` first (the Kepala Dinas; for a suspension, the Kabid)."""
    try:
        first = w.workflow.initial_for(kind)
    except KeyError:
        first = w.workflow.initial
    step = w.workflow.step(first)
    return w.workflow.title(step.role) if step else ""


def kind_label(w: Words, key: str) -> str:
    """How a request kind reads ("Perubahan"); an unknown key as it is."""
    try:
        return w.workflow.kind(key).label
    except KeyError:
        return key


def requester_update(w: Words, request: Request, entry: AuditEntry) -> str:
    label = w.workflow.action_label(entry.action, kind=request.kind)
    text = (f"Permohonan <b>{escape(request.number)}</b> "
            f"(<code>{escape(w.fqdn(request))}</code>)\n"
            f"Tindakan: {escape(label)}\n"
            f"Status sekarang: {escape(w.state(request.state))}")
    if entry.note:
        text += f"\nCatatan: {escape(entry.note)}"
    return text


def group_card(w: Words, request: Request) -> str:
    step = w.workflow.step(request.state)
    where = (f"Tahap {step.number} — {w.workflow.title(step.role)}" if step
             else w.state(request.state))
    return "\n".join([
        f"<b>{escape(request.number)}</b> <code>{escape(w.fqdn(request))}</code>",
        f"{escape(request.agency.name)}",
        f"Status: {escape(w.state(request.state))}",
        f"Posisi: {escape(where)} sejak {w.time(request.state_since)}",
    ])


def timeline_lines(w: Words, events: Iterable[RequestEvent]) -> list[str]:
    """One plain-text line per event (CLI and chat both use it; escape before sending HTML)."""
    lines = []
    for e in events:
        who = e.actor_name or "Sistem"
        if e.actor_role:
            prefix = {"plt": "Plt. ", "plh": "Plh. "}.get(e.acting or "", "")
            who += f" ({prefix}{w.workflow.title(e.actor_role)})"
        line = (f"{w.time(e.at)}  {w.workflow.action_label(e.action, e.from_state)} — {who}"
                f" → {w.state(e.to_state)}")
        if e.instruction:
            line += f" | Instruksi: {e.instruction}"
        if e.note:
            line += f" | Catatan: {e.note}"
        line += _letter_details(e.details)
        lines.append(line)
    return lines


TRAIL_TEXT = 120
"""Longest revised text the trail repeats (the KONSEP itself has it whole)."""


def _letter_details(details: dict[str, object]) -> str:
    """What a transition did to the letter: the parts rewritten (a new KONSEP version), the
    number given from the agenda book."""
    out = ""
    changes = details.get("revision")
    if isinstance(changes, dict) and changes:
        shown = "; ".join(
            f"{label_of(str(k))}: “{_cut(str(v))}”" for k, v in changes.items())
        out += f" | Konsep baru, diubah: {shown}"
    number = details.get("letter_number")
    if isinstance(number, str) and number:
        out += f" | Nomor surat: {number}"
    return out


def _cut(text: str) -> str:
    return text if len(text) <= TRAIL_TEXT else text[:TRAIL_TEXT - 1] + "…"


def dns_check(summary: str) -> str:
    """The heading on a line of its own: the summary may itself be "Sudah dipakai: A …"."""
    return f"<b>Hasil pemeriksaan DNS</b>\n{escape(summary)}"


def plan(description: str) -> str:
    return f"<b>Rencana rekaman DNS</b>\n{escape(description)}"


def letter_caption(w: Words, request: Request, number: str) -> str:
    return (f"Surat balasan Nomor {escape(number)} atas permohonan "
            f"<b>{escape(request.number)}</b> (<code>{escape(w.fqdn(request))}</code>).")


CREATION_HINTS = {
    "rfc2136": "Tombol <b>{button}</b> menerapkan rencana tersebut di server DNS (perubahan dan "
               "penghapusan hanya bila rekaman saat ini sesuai register) dan memverifikasinya.",
    "manual": "Buat rekaman tersebut di panel DNS/hosting, lalu tekan <b>{button}</b>: "
              "bot memverifikasi rekaman di DNS sebelum tahap ini selesai.",
}
"""What step 7's button does with the DNS provider ({button}: its label, per request kind)."""


def passed_over(w: Words, request: Request, left: Step, entry: AuditEntry, actor: str) -> str:
    """To the holder of a step the request left without them (HTML)."""
    text = (f"Permohonan <b>{escape(request.number)}</b> "
            f"(<code>{escape(w.fqdn(request))}</code>): "
            f"{escape(w.workflow.action_label(entry.action, left.state).lower())} oleh "
            f"{escape(actor)} "
            f"pada {w.time(request.state_since)}. Tahap {left.number} tidak perlu "
            "ditindaklanjuti lagi.")
    if entry.note:
        text += f"\nCatatan: {escape(entry.note)}"
    return text


def finished(w: Words, request: Request, entry: AuditEntry) -> str:
    text = (f"Permohonan <b>{escape(request.number)}</b> (<code>{escape(w.fqdn(request))}</code>, "
            f"{escape(request.agency.name)}) {escape(w.state(request.state).lower())}.")
    ending = w.workflow.ending(request.state)
    if entry.note and ending is not None and ending.tells_note:
        text += f"\nCatatan: {escape(entry.note)}"
    return text


# --- acting on a step card (the card itself asks and confirms) ------------------------------

SKIP_LABEL = "Lewati"
"""The button that goes on without a note, where the table names no confirmation."""
CANCEL_LABEL = "Batal"
DONE_NOTE_CHARS = 300
"""How much of the note the confirmed card repeats (the audit keeps all of it)."""


def choice_label(label: str, choice: str) -> str:
    """A step-card button that takes an action with one choice ("Disposisi ke Kabid ·
    Tindak lanjuti")."""
    return f"{label} · {choice}"


def choose_prompt(label: str) -> str:
    return f"<b>{escape(label)}</b>\nMohon pilih salah satu tombol di bawah."


def note_prompt(label: str, required: bool, confirm: str, limit: int) -> str:
    """The line the card shows while it waits for the note (HTML)."""
    if required:
        return (f"✏️ <b>{escape(label)}</b>\nMohon kirim catatan atau alasan sebagai pesan "
                f"(paling banyak {limit} karakter), atau tekan {CANCEL_LABEL}.")
    return (f"✏️ <b>{escape(label)}</b>\nKirim catatan sebagai pesan bila perlu, atau tekan "
            f"“{escape(confirm)}”.")


def done_line(label: str, actor: str, when: str, note: str | None) -> str:
    """The card's confirmation once the action is recorded (HTML)."""
    line = f"✅ <b>{escape(label)}</b> oleh {escape(actor)} pada {escape(when)}"
    if note:
        shown = note if len(note) <= DONE_NOTE_CHARS else note[:DONE_NOTE_CHARS] + "…"
        line += f"\nCatatan: {escape(shown)}"
    return line


def letter_number_prompt(label: str, example: str) -> str:
    """The card asks the secretariat for the number from the agenda book (HTML)."""
    return (f"✏️ <b>{escape(label)}</b>\nMohon kirim nomor surat keluar yang diambil dari buku "
            f"agenda atau SRIKANDI, persis seperti tertulis (contoh: {escape(example)}), atau "
            f"tekan {CANCEL_LABEL}.")


def revision_prompt(label: str) -> str:
    return (f"✏️ <b>{escape(label)}</b>\nBagian konsep yang dapat diubah dikirim di bawah; "
            f"tekan {CANCEL_LABEL} untuk membatalkan.")


def scan_prompt(label: str) -> str:
    return (f"✏️ <b>{escape(label)}</b>\nMohon kirim pindaian surat yang telah ditandatangani "
            f"basah dan dicap, sebagai berkas PDF (paling besar 20 MB), atau tekan "
            f"{CANCEL_LABEL}.")


def passphrase_prompt(label: str) -> str:
    """Asked in the signatory's private chat only."""
    return (f"🔐 <b>{escape(label)}</b>\nMohon kirim frasa sandi (passphrase) tanda tangan "
            "elektronik BSrE Bapak/Ibu. Pesan tersebut segera dihapus dan tidak disimpan.")
