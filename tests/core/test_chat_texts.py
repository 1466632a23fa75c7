"""Formal Indonesian in every chat text: each text the bot composes and each label of the SOP
table is rendered (or read from the source where a handler writes it inline) and checked
against the faults a secretariat reader found: "::", ": Tidak:", "&", a capital letter after a
colon inside a sentence, a label glued into a sentence, "Anda" next to "Bapak/Ibu"."""

from __future__ import annotations

import ast
import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import deadlines, notify, texts
from bot.notify import CardFacts
from bot.texts import Words
from bot.workflow import SOP, Instruction, Workflow
from storage.models import Agency, AuditEntry, Person, PositionHolder, Request, RequestEvent
from tests.support.office import office_settings

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)
CHAT_MODULES = (
    "bot/handlers", "bot/service.py", "bot/texts.py", "bot/notify.py", "bot/deadlines.py",
    "bot/onboarding.py", "bot/technical.py", "bot/app.py", "bot/paperwork.py", "bot/workflow.py",
    "bot/outbox.py",
)
"""Where chat texts are written (the CLI, settings and init talk English to the operator)."""

_TAGS = re.compile(r"<[^>]+>")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9./-]*\b")
"""A request number, an acronym or a code (SD-2026-0001, DNS, WITA): not a capital word."""
_FIELD = re.compile(r"^[^\w]*[\w/()., -]{1,45}$")
"""The name of a field line ("Catatan", "Tahap 1", "⏰ Pengingat"): its value may start with
a capital."""


def plain(text: str) -> str:
    return html.unescape(_TAGS.sub("", text))


def labels(workflow: Workflow) -> set[str]:
    """The table's labels that name an action, a step or an ending (not positions: titles are
    nouns a sentence may use)."""
    found = set(workflow.event_labels.values())
    for step in workflow.steps:
        found |= {step.label, step.short_label}
        found |= {t.label for t in step.transitions} | {t.done for t in step.transitions}
    found |= {e.label for e in workflow.endings}
    return found


def faults(text: str, table_labels: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    found = []
    for line in plain(text).splitlines():
        for bad in ("::", ": Tidak:", "&"):
            if bad in line:
                found.append(f"{bad!r} in {line!r}")
        if "Anda" in line and "Bapak/Ibu" in line:
            found.append(f"'Anda' and 'Bapak/Ibu' in {line!r}")
        if any(part.count(": ") > 1 for part in line.split(" | ")):
            found.append(f"two colons in one sentence: {line!r}")
        for part in line.split(" | "):  # the trail's "| Catatan: …" fields
            for n, match in enumerate(re.finditer(r":\s+(?=\S)", part)):
                rest = part[match.end():]
                if not rest[:1].isupper() or _CODE.match(rest):
                    continue
                if n == 0 and _FIELD.match(part[:match.start()]):
                    continue
                found.append(f"capital after a colon in {line!r}")
        marked = line
        for label in sorted(table_labels, key=len, reverse=True):  # longest first
            marked = re.sub(rf"(?<!\w){re.escape(label)}(?!\w)", "\u27e8L\u27e9", marked)
        if re.search("\u27e8L\u27e9 [a-z]", marked):
            found.append(f"a label glued into {line!r}")
    return found


def test_the_checker_finds_the_faults_of_the_old_texts() -> None:
    table = {"Tidak: domain sudah ada", "Setujui & tandatangani"}
    assert faults("Tercatat: Tidak: domain sudah ada untuk SD-2026-0002.", table)
    assert faults("<b>Tidak: domain sudah ada</b>: tuliskan catatan bila perlu")
    assert faults("Setujui &amp; tandatangani")
    assert faults("Permohonan SD-1 (a.b.go.id): Didisposisikan. Status sekarang: X.")
    assert faults("Bukan tugas Anda: Bapak/Ibu belum terdaftar.")
    assert not faults("Catatan: Mohon diproses.\nStatus sekarang: Disposisi Kabid")
    assert not faults("⏰ Pengingat: permohonan SD-2026-0001 menunggu tindakan Bapak/Ibu.")


def _request(state: str, target_kind: str = "ip") -> Request:
    return Request(
        id=7, number="SD-2026-0007",
        agency=Agency(1, "dinkes", "Dinas Kesehatan", None, "Paringin"),
        requester_id=3, subdomain="layanan", purpose="Portal layanan kesehatan",
        target_kind=target_kind, target_value="203.0.113.10", contact_name="Ahmad",
        contact_phone="+6281200000000", letter_number="400/123/Dinkes/2026",
        letter_date=date(2026, 11, 27), letter_file_ref=None, state=state, version=2,
        outcome=None, assignee_id=None, state_since=AT, created_at=AT, agenda_number=12,
        letter_subject="Permohonan Pembuatan Subdomain")


def rendered_texts(w: Words) -> list[str]:
    """Every text the composing modules make, for every step, action and ending."""
    out: list[str] = []
    facts = CardFacts(notice="Pemohon belum terdaftar sebagai kontak Perangkat Daerah ini.",
                      dns_check="Sudah dipakai: A 10.0.0.5",
                      last_dns_check="Tersedia: nama belum ada di DNS",
                      record_plan="A layanan.balangankab.go.id 203.0.113.10", provider="manual")
    holder = PositionHolder("kabid", Person(2, 102, "Siti Aminah"), "plh", None, None)
    for step in w.workflow.steps:
        request = _request(step.state)
        out.append(texts.step_card(w, request, step, [("Kepala Dinas", "Mohon segera")]))
        for message in notify.step_messages(w, request, step.role, 1, facts=facts):
            out.append(str(message.payload.get("text") or message.payload.get("caption")))
            out += [label for row in message.payload.get("buttons", []) for label, _ in row]
        out.append(texts.group_card(w, request))
        for level in deadlines.Level:
            if level is not deadlines.Level.ESCALATION:
                out.append(deadlines.reminder_text(w, request, step, level))
        out.append(deadlines.escalation_text(w, request, step, [holder]))
        for t in step.transitions:
            after = _request(t.to)
            for note in (None, "Mohon dilengkapi."):
                entry = AuditEntry(action=t.action, to_state=t.to, actor_id=1,
                                   actor_role=step.acting_role(t), note=note)
                out.append(texts.requester_update(w, after, entry))
                if t.to in w.workflow.final_states:
                    out.append(texts.finished(w, after, entry))
                event = RequestEvent(1, AT, 1, "Siti Aminah", step.acting_role(t), None,
                                     t.action, step.state, t.to,
                                     Instruction.FOLLOW_UP.value if t.instructions else None,
                                     note, {})
                out += texts.timeline_lines(w, [event])
    request = _request(w.workflow.initial)
    out += [texts.submitted(w, request), texts.letter_caption(w, request, "555/1/X/2026")]
    return out


def source_texts() -> list[tuple[str, str]]:
    """(where, text) of every string written in the chat modules, placeholders as "X"."""
    found = []
    paths = [p for entry in CHAT_MODULES for p in sorted((ROOT / entry).rglob("*.py"))
             if (ROOT / entry).is_dir()] + [ROOT / e for e in CHAT_MODULES if e.endswith(".py")]
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(str(v.value) if isinstance(v, ast.Constant) else "X"
                               for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings:
                    continue
                text = node.value
            else:
                continue
            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


@pytest.fixture
def words() -> Words:
    settings = office_settings()
    return Words(SOP, settings.parent_domain, settings.timezone)


def test_every_rendered_chat_text_reads_formally(words: Words) -> None:
    table = labels(words.workflow)
    problems = [f for text in rendered_texts(words) for f in faults(text, table)]
    assert problems == []


def test_every_label_of_the_table_reads_formally() -> None:
    table = labels(SOP)
    named = table | {p.title for p in SOP.positions} | {s.activity for s in SOP.steps}
    problems = [f for label in sorted(named) for f in faults(label)]
    assert problems == []
    assert not [x for x in named if "SKPD" in x]


def test_the_texts_written_in_the_source_read_formally() -> None:
    problems = []
    for where, text in source_texts():
        for bad in ("::", ": Tidak:", " & ", "Anda", "SKPD", "sebentar lagi", "terlampaui"):
            if bad in text:
                problems.append(f"{where}: {bad!r} in {text!r}")
    assert problems == []


def test_times_are_written_with_pukul(words: Words) -> None:
    assert words.time(AT) == "30-11-2026 pukul 09.05 WITA"
