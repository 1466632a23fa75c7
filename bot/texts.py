"""What users read: short, formal Indonesian, HTML-escaped wherever user text appears."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from html import escape

from bot import zones
from bot.workflow import (
    ROLE_TITLES,
    Action,
    State,
    Step,
    standard_time_label,
    step_of,
)
from storage.models import AuditEntry, Request, RequestEvent

STATE_LABELS: dict[State, str] = {
    State.DISPOSITION_HEAD: "Disposisi Kepala Dinas",
    State.DISPOSITION_KABID: "Disposisi Kabid Layanan e-Government",
    State.ORDER_CHECK: "Perintah pengecekan oleh Kasi",
    State.TECHNICAL_CHECK: "Pengecekan teknis oleh Staf Prakom",
    State.REPORT_TO_KABID: "Laporan Kasi kepada Kabid",
    State.DECISION: "Pemeriksaan dan keputusan Kabid",
    State.CREATION: "Pembuatan subdomain oleh Staf Prakom",
    State.LETTER_SIGNOFF: "Persetujuan surat balasan",
    State.LETTER_REVISION: "Perbaikan konsep surat balasan",
    State.DELIVERY: "Penyampaian surat balasan",
    State.COMPLETED: "Selesai",
    State.DECLINED: "Ditolak",
    State.WITHDRAWN: "Ditarik oleh pemohon",
}

ACTION_LABELS: dict[str, str] = {
    "submit": "Permohonan diajukan",
    Action.DISPOSE: "Didisposisikan",
    Action.DECLINE: "Ditolak",
    Action.ORDER_CHECK: "Diperintahkan pengecekan",
    Action.SUBMIT_CHECK: "Laporan teknis dikirim",
    Action.SUBMIT_REPORT: "Laporan dikirim ke Kabid",
    Action.APPROVE: "Disetujui untuk dibuat",
    Action.REJECT_EXISTS: "Tidak disetujui: domain sudah ada",
    Action.REJECT_ADVICE: "Tidak disetujui: saran teknis",
    Action.CONFIRM_CREATED: "Subdomain dibuat",
    Action.SIGN: "Surat balasan ditandatangani",
    Action.REVISE: "Konsep surat dikembalikan untuk diperbaiki",
    Action.RESUBMIT: "Konsep surat diajukan kembali",
    Action.CONFIRM_RECEIPT: "Surat balasan diterima",
    Action.RETURN: "Dikembalikan ke tahap sebelumnya",
    Action.WITHDRAW: "Permohonan ditarik",
}

TARGET_LABELS = {"ip": "Alamat IP", "cname": "CNAME ke", "hosting": "Hosting di Diskominfo"}


def local_time(value: datetime, tz: tzinfo) -> str:
    """``30-11-2026 06:30 WIB``: on the office's wall clock, with its zone's label."""
    return zones.local_time(value, tz)


def fqdn(request: Request, parent: str) -> str:
    """The full name under the office's parent domain (the PARENT_DOMAIN setting)."""
    return f"{request.subdomain}.{parent}"


def request_summary(request: Request, parent: str) -> str:
    target = TARGET_LABELS.get(request.target_kind, request.target_kind)
    if request.target_value:
        target += f" {escape(request.target_value)}"
    lines = [
        f"<b>{escape(request.number)}</b> — {escape(request.agency.name)}",
        f"Subdomain: <code>{escape(fqdn(request, parent))}</code>",
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


def step_card(request: Request, step: Step, notes: Sequence[tuple[str, str]] = (), *,
              parent: str) -> str:
    lines = [
        f"<b>Tahap {step.number}: {escape(STATE_LABELS[step.state])}</b>",
        request_summary(request, parent),
        f"Kegiatan: {escape(step.activity)}",
        f"Waktu standar: {standard_time_label(step)}",
    ]
    if notes:
        lines.append(notes_block(notes))
    return "\n".join(lines)


def submitted(request: Request, parent: str) -> str:
    return (f"Permohonan Bapak/Ibu telah diterima dengan nomor <b>{escape(request.number)}</b> "
            f"(agenda surat masuk nomor {request.agenda_number}).\n"
            f"{request_summary(request, parent)}\n"
            "Permohonan diteruskan kepada Kepala Dinas untuk didisposisikan.")


def requester_update(request: Request, entry: AuditEntry, parent: str) -> str:
    label = ACTION_LABELS.get(entry.action, entry.action)
    text = (f"Permohonan <b>{escape(request.number)}</b> "
            f"(<code>{escape(fqdn(request, parent))}</code>): {escape(label)}.\n"
            f"Status sekarang: {escape(STATE_LABELS[request.state])}.")
    if entry.note:
        text += f"\nCatatan: {escape(entry.note)}"
    return text


def group_card(request: Request, parent: str, tz: tzinfo) -> str:
    step = step_of(request.state)
    where = (f"Tahap {step.number} — {ROLE_TITLES[step.role]}" if step
             else STATE_LABELS[request.state])
    return "\n".join([
        f"<b>{escape(request.number)}</b> <code>{escape(fqdn(request, parent))}</code>",
        f"{escape(request.agency.name)}",
        f"Status: {escape(STATE_LABELS[request.state])}",
        f"Posisi: {escape(where)} sejak {local_time(request.state_since, tz)}",
    ])


def timeline_lines(events: Iterable[RequestEvent], tz: tzinfo) -> list[str]:
    """One plain-text line per event (CLI and chat both use it; escape before sending HTML)."""
    lines = []
    for e in events:
        who = e.actor_name or "Sistem"
        if e.actor_role:
            prefix = {"plt": "Plt. ", "plh": "Plh. "}.get(e.acting or "", "")
            who += f" ({prefix}{ROLE_TITLES[e.actor_role]})"
        line = (f"{local_time(e.at, tz)}  {ACTION_LABELS.get(e.action, e.action)} — {who}"
                f" → {STATE_LABELS[e.to_state]}")
        if e.instruction:
            line += f" | Instruksi: {e.instruction}"
        if e.note:
            line += f" | Catatan: {e.note}"
        lines.append(line)
    return lines


def dns_check(summary: str) -> str:
    return f"<b>Hasil pemeriksaan DNS:</b> {escape(summary)}"


def plan(description: str) -> str:
    return f"<b>Rencana rekaman DNS:</b> {escape(description)}"


def letter_caption(request: Request, number: str, parent: str) -> str:
    return (f"Surat balasan Nomor {escape(number)} atas permohonan "
            f"<b>{escape(request.number)}</b> (<code>{escape(fqdn(request, parent))}</code>).")


CREATION_HINTS = {
    "rfc2136": "Tombol <b>Buat subdomain</b> membuat rekaman tersebut di server DNS dan "
               "memverifikasinya.",
    "manual": "Buat rekaman tersebut di panel DNS/hosting, lalu tekan <b>Buat subdomain</b>: "
              "bot memverifikasi rekaman di DNS sebelum tahap ini selesai.",
}


def finished(request: Request, entry: AuditEntry, parent: str) -> str:
    text = (f"Permohonan <b>{escape(request.number)}</b> "
            f"(<code>{escape(fqdn(request, parent))}</code>, {escape(request.agency.name)}) "
            f"{escape(STATE_LABELS[request.state].lower())}.")
    if entry.note and request.state is not State.COMPLETED:
        text += f"\nCatatan: {escape(entry.note)}"
    return text
