"""What the watch tells people (pure: facts in, Indonesian text out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from storage.watch import Finding, Seen

KINDS = {
    "dns_mismatch": "Jawaban server DNS otoritatif berbeda",
    "dns_missing": "Nama tidak ditemukan di DNS",
    "dangling_cname": "CNAME menggantung (target tidak ada; berisiko diambil alih)",
    "http_down": "HTTP tidak menjawab",
    "https_down": "HTTPS tidak menjawab",
    "http_slow": "Halaman HTTP tidak selesai dimuat",
    "https_slow": "Halaman HTTPS tidak selesai dimuat",
    "redirect_loop": "Pengalihan (redirect) berulang tanpa akhir",
    "tls_invalid": "Sertifikat TLS tidak sah",
    "tls_expiring": "Sertifikat TLS segera habis masa berlakunya",
    "defacement": "Tanda defacement/judi online di halaman depan",
    "probe_timeout": "Pemeriksaan melebihi batas waktu",
}
EVIDENCE_SHOWN = 400
SHOWN_PER_NAME = 5
LISTED = 25


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def _cut(text: str, limit: int = EVIDENCE_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def finding_text(fqdn: str, owner: str | None, found: Sequence[Seen], when: str) -> str:
    """One name's new findings, each with its evidence."""
    lines = [f"⚠️ <b>Pemantauan subdomain: {escape(fqdn)}</b>",
             f"Pemilik: {escape(owner) if owner else 'belum ditetapkan'}",
             f"Waktu pemeriksaan: {escape(when)}", ""]
    for seen in found[:SHOWN_PER_NAME]:  # a Telegram message holds 4,096 characters
        lines.append(f"• <b>{escape(kind_label(seen.kind))}</b>: {escape(_cut(seen.detail, 200))}")
        lines.append(f"  Bukti: <code>{escape(_cut(seen.evidence))}</code>")
    if len(found) > SHOWN_PER_NAME:
        lines.append(f"… dan {len(found) - SHOWN_PER_NAME} temuan lainnya (python -m bot watch "
                     f"run --name {escape(fqdn)}).")
    lines += ["", "Mohon Bapak/Ibu menindaklanjuti bersama pengelola situs."]
    return "\n".join(lines)


def summary_text(zone: str, week: str, checked: int, open_by_kind: Mapping[str, int],
                 first_open: Sequence[Finding], new: int, cleared: int) -> str:
    """The weekly summary for the Kepala Dinas: the open findings counted per kind, the first
    LISTED of them (`first_open`, by label) named."""
    still_open = sum(open_by_kind.values())
    lines = [f"📋 <b>Ringkasan pemantauan subdomain {escape(zone)}</b>",
             f"Pekan {escape(week)}", "",
             f"Subdomain aktif yang dipantau: {checked}",
             f"Temuan baru pekan ini: {new}",
             f"Temuan yang sudah pulih pekan ini: {cleared}",
             f"Temuan yang masih terbuka: {still_open}"]
    if still_open:
        lines.append("")
        for kind, count in sorted(open_by_kind.items()):
            lines.append(f"• {escape(kind_label(kind))}: {count}")
        lines.append("")
        for f in first_open[:LISTED]:
            lines.append(f"– {escape(f.label)}: {escape(kind_label(f.kind))}")
        if still_open > LISTED:
            lines.append(f"… dan {still_open - LISTED} temuan lainnya.")
    else:
        lines += ["", "Tidak ada temuan yang terbuka."]
    return "\n".join(lines)
