"""PDF rendering of reply letters and disposition sheets with reportlab platypus.

Deterministic: reportlab's invariant mode plus metadata derived from the input, so the same
input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import Path as ShapePath
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from letters import body as body_mod
from letters.dates import format_date_id, format_datetime_id
from letters.model import (
    DispositionSheet,
    OfficeIdentity,
    ReplyLetter,
    Urgency,
)
from letters.numbering import placeholder_letter_number

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 2.5 * cm
MARGIN_TOP = 1.5 * cm
MARGIN_BOTTOM = 2.5 * cm
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
DRAFT_MARK = "KONSEP"



@dataclass(frozen=True)
class FontSet:
    """Font names for the four faces; the built-in Helvetica family by default."""

    regular: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    italic: str = "Helvetica-Oblique"
    bold_italic: str = "Helvetica-BoldOblique"

    @classmethod
    def from_ttf(
        cls,
        family: str,
        regular: Path,
        bold: Path | None = None,
        italic: Path | None = None,
        bold_italic: Path | None = None,
    ) -> FontSet:
        """Register TrueType files (e.g. Debian's DejaVu) under ``family``; missing faces
        fall back to the regular one."""
        names: dict[str, str] = {}
        for face, path in (
            ("regular", regular),
            ("bold", bold or regular),
            ("italic", italic or regular),
            ("bold_italic", bold_italic or bold or regular),
        ):
            name = f"{family}-{face}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            names[face] = name
        pdfmetrics.registerFontFamily(
            family,
            normal=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            boldItalic=names["bold_italic"],
        )
        return cls(**names)


def esc(text: str) -> str:
    """Plain text -> Paragraph markup: escape ``& < >`` and keep line breaks."""
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Styles:
    fonts: FontSet

    def style(self, name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {
            "fontName": self.fonts.regular,
            "fontSize": 11,
            "leading": 14.5,
            "alignment": TA_LEFT,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    @property
    def normal(self) -> ParagraphStyle:
        return self.style("normal")

    @property
    def body(self) -> ParagraphStyle:
        return self.style("body", alignment=TA_JUSTIFY, firstLineIndent=1.0 * cm, spaceAfter=6)

    @property
    def small(self) -> ParagraphStyle:
        return self.style("small", fontSize=9.5, leading=12)

    @property
    def cell(self) -> ParagraphStyle:
        return self.style("cell", fontSize=9.5, leading=12, wordWrap="CJK")

    @property
    def cell_bold(self) -> ParagraphStyle:
        return self.style("cellb", fontName=self.fonts.bold, fontSize=9.5, leading=12)

    @property
    def centred(self) -> ParagraphStyle:
        return self.style("centred", alignment=TA_CENTER)

    @property
    def right(self) -> ParagraphStyle:
        return self.style("right", alignment=TA_RIGHT)


# ---------------------------------------------------------------- shared pieces


class DoubleRule(Flowable):  # type: ignore[misc]
    """The kop surat's thick-and-thin double rule across the text width."""

    def __init__(self, width: float, thick: float = 2.2, thin: float = 0.7, gap: float = 2.2):
        super().__init__()
        self.width = width
        self.thick, self.thin, self.gap = thick, thin, gap
        self.height = thick + gap + thin

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.black)
        c.setLineWidth(self.thick)
        top = self.height - self.thick / 2
        c.line(0, top, self.width, top)
        c.setLineWidth(self.thin)
        bottom = self.thin / 2
        c.line(0, bottom, self.width, bottom)


def _kop(office: OfficeIdentity, st: _Styles) -> list[Flowable]:
    f = st.fonts
    lines = [
        Paragraph(esc(office.government_line), st.style("k1", fontName=f.bold, fontSize=14,
                                                       leading=17, alignment=TA_CENTER)),
        Paragraph(esc(office.office_name), st.style("k2", fontName=f.bold, fontSize=16.5,
                                                   leading=20, alignment=TA_CENTER)),
        Paragraph(
            esc(f"{office.address_line} Telp/Fax. {office.phone_fax}"),
            st.style("k3", fontSize=9, leading=12, alignment=TA_CENTER),
        ),
        Paragraph(
            esc(f"Website: {office.website}  E-mail: {office.email}"),
            st.style("k4", fontSize=9, leading=12, alignment=TA_CENTER),
        ),
    ]
    row: list[Any] = [lines]
    widths = [CONTENT_WIDTH]
    if office.emblem_path is not None:
        path = Path(office.emblem_path)
        if not path.is_file():
            raise FileNotFoundError(f"emblem image not found: {path}")
        side = 2.2 * cm
        row = [Image(str(path), width=2.0 * cm, height=2.3 * cm, kind="proportional"), lines]
        widths = [side, CONTENT_WIDTH - side]
    table = Table(
        [row],
        colWidths=widths,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, 0), "LEFT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return [table, DoubleRule(CONTENT_WIDTH), Spacer(1, 0.4 * cm)]


def _plain_table(rows: list[list[Any]], widths: list[float], padding: float = 1) -> Table:
    return Table(
        rows,
        colWidths=widths,
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ]
        ),
    )


def _pdf_date(day: dt.date) -> Callable[..., str]:
    stamp = f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000+08'00'"

    def formatter(*_: int) -> str:
        return stamp

    return formatter


def _build(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    subject: str,
    creator: str,
    keywords: str,
    day: dt.date,
    on_page: Callable[[Canvas, int], None],
) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=creator,
        producer="ReportLab",
        keywords=keywords,
        invariant=1,
        lang="id-ID",
    )

    def hook(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setDateFormatter(_pdf_date(day))
        on_page(canvas, document.page)

    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buffer.getvalue()


# ---------------------------------------------------------------- reply letter


def _qr(value: str, size: float) -> Drawing:
    """The verification code as one filled path: encoded once, each run of dark modules in a row
    one rectangle. (The reportlab widget encodes twice, once for its bounds and once to draw,
    and makes a checked shape per run: that was most of a final letter's render time.)"""
    code = QrCodeWidget(value, barLevel="M").qr
    code.make()
    modules = code.modules
    count = code.getModuleCount()
    border = 4
    side = count + 2 * border
    box = size / side
    path = ShapePath(fillColor=colors.black, strokeColor=None, strokeWidth=0)
    for r, row in enumerate(modules):
        top = size - (r + border) * box
        c = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            length = len(list(run))
            if dark:
                x0, x1 = (c + border) * box, (c + border + length) * box
                path.moveTo(x0, top - box)
                path.lineTo(x1, top - box)
                path.lineTo(x1, top)
                path.lineTo(x0, top)
                path.closePath()
            c += length
    drawing = Drawing(size, size)
    drawing.add(path)
    return drawing


def letter_number_text(letter: ReplyLetter, office: OfficeIdentity) -> str:
    """The number as printed: the real one, or ``…/…/Diskominfo-Kab/2026`` on a draft."""
    if letter.draft or not letter.number:
        return placeholder_letter_number(office.number_pattern, office.unit_code, letter.date.year,
                                         month=letter.date.month)
    return letter.number


def verification_statement(letter: ReplyLetter, office: OfficeIdentity) -> str:
    """Footer sentence of a final letter; deliberately says it is not a certified signature."""
    text = (
        f"Surat ini disetujui secara elektronik melalui {office.system_name} "
        f"{body_mod.office_display_name(office)} dengan kode verifikasi "
        f"{letter.verification_code or '-'}; surat ini tidak ditandatangani dengan tanda tangan "
        "elektronik tersertifikasi."
    )
    if letter.verification_url:
        text += f" Keaslian surat dapat diperiksa melalui kode QR atau {letter.verification_url}"
    return text


def _signature_block(letter: ReplyLetter, st: _Styles) -> Flowable:
    sig = letter.signatory
    centred = st.style("sig", alignment=TA_CENTER, leading=14)
    parts: list[Flowable] = []
    if sig.on_behalf:
        parts.append(Paragraph(esc(f"a.n. {sig.on_behalf}"), centred))
    parts.append(Paragraph(esc(f"{sig.title_line},"), centred))
    qr_value = letter.verification_url or letter.verification_code
    if not letter.draft and qr_value:
        parts.append(Spacer(1, 0.15 * cm))
        qr = _qr(qr_value, 2.2 * cm)
        parts.append(Table([[qr]], colWidths=[7.5 * cm], style=[("ALIGN", (0, 0), (-1, -1),
                                                                   "CENTER")]))
        parts.append(Spacer(1, 0.1 * cm))
    else:
        parts.append(Spacer(1, 2.2 * cm))
    parts.append(Paragraph(f"<u><b>{esc(sig.name)}</b></u>", centred))
    if sig.rank:
        parts.append(Paragraph(esc(sig.rank), centred))
    parts.append(Paragraph(esc(f"NIP. {sig.nip}"), centred))
    block = Table(
        [["", parts]],
        colWidths=[CONTENT_WIDTH - 7.5 * cm, 7.5 * cm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return KeepTogether([Spacer(1, 0.3 * cm), block])


def _records_table(records: Sequence[tuple[str, str, str, int]], st: _Styles) -> Table:
    head = ["No.", "Nama", "Tipe", "Nilai", "TTL"]
    rows: list[list[Any]] = [[Paragraph(h, st.cell_bold) for h in head]]
    for i, (name, rtype, value, ttl) in enumerate(records, start=1):
        rows.append(
            [
                Paragraph(f"{i}.", st.cell),
                Paragraph(esc(name), st.cell),
                Paragraph(esc(rtype), st.cell),
                Paragraph(esc(value), st.cell),
                Paragraph(esc(str(ttl)), st.cell),
            ]
        )
    widths = [1.0 * cm, 5.3 * cm, 1.8 * cm, 5.4 * cm, 1.3 * cm]
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        hAlign="CENTER",
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )


def _tembusan(items: Sequence[str], st: _Styles) -> list[Flowable]:
    if not items:
        return []
    style = st.style("tb", fontSize=10, leading=12.5)
    item_style = st.style("tbi", fontSize=10, leading=12.5, leftIndent=0.55 * cm,
                          firstLineIndent=-0.55 * cm)
    out: list[Flowable] = [Paragraph("Tembusan:", style)]
    for i, item in enumerate(items, start=1):
        text = item.strip().rstrip(";.")
        end = "." if i == len(items) else ";"
        out.append(Paragraph(esc(f"{i}. {text}{end}"), item_style))
    return [Spacer(1, 0.4 * cm), KeepTogether(out)]


def render_reply_letter(
    letter: ReplyLetter,
    office: OfficeIdentity,
    templates_dir: Path | None = None,
    *,
    fonts: FontSet | None = None,
) -> bytes:
    """Render ``letter`` as an A4 PDF and return its bytes.

    Raises ``body.TemplateError`` for a broken template, ``body.CredentialError`` if the text
    looks like it carries a password, FileNotFoundError for a missing emblem image.
    """
    st = _Styles(fonts or FontSet())
    blocks = body_mod.build_body(letter, office, templates_dir)

    story: list[Flowable] = [*_kop(office, st)]
    story.append(Paragraph(esc(f"{office.place}, {format_date_id(letter.date)}"), st.right))
    story.append(Spacer(1, 0.2 * cm))
    header_rows = [
        ("Nomor", letter_number_text(letter, office)),
        ("Sifat", letter.nature),
        ("Lampiran", letter.attachments),
        ("Hal", letter.subject),
    ]
    story.append(
        _plain_table(
            [[Paragraph(k, st.normal), Paragraph(":", st.normal), Paragraph(esc(v), st.normal)]
             for k, v in header_rows],
            [2.2 * cm, 0.4 * cm, CONTENT_WIDTH - 2.6 * cm],
        )
    )
    story.append(Spacer(1, 0.5 * cm))
    story.append(
        Paragraph(esc(f"Yth. {letter.addressee.title}"),
                  st.style("yth", leftIndent=0.95 * cm, firstLineIndent=-0.95 * cm))
    )
    place = letter.addressee.place.strip()
    story.append(Paragraph("di -" if place.lower() == "tempat" else "di",
                           st.style("di", leftIndent=0.95 * cm)))
    story.append(Paragraph(esc(place), st.style("dip", leftIndent=1.9 * cm)))
    story.append(Spacer(1, 0.5 * cm))

    for block in blocks:
        if isinstance(block, body_mod.RecordsTable):
            story.append(Spacer(1, 0.1 * cm))
            story.append(_records_table(block.records, st))
            story.append(Spacer(1, 0.3 * cm))
        else:
            story.append(Paragraph(esc(block.text), st.body))

    story.append(_signature_block(letter, st))
    story.extend(_tembusan(letter.tembusan, st))

    footer = None
    if not letter.draft and letter.verification_code:
        footer = Paragraph(
            esc(verification_statement(letter, office)),
            st.style("foot", fontName=st.fonts.italic, fontSize=7.5, leading=9.5),
        )

    def on_page(canvas: Canvas, page: int) -> None:
        if page > 1:
            canvas.setFont(st.fonts.regular, 10)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 1.3 * cm, f"- {page} -")
        if letter.draft:
            _draw_draft_mark(canvas, st.fonts)
        if footer is not None:
            _, height = footer.wrap(CONTENT_WIDTH, MARGIN_BOTTOM)
            canvas.saveState()
            canvas.setStrokeColor(colors.grey)
            canvas.setLineWidth(0.4)
            top = 0.9 * cm + height + 3
            canvas.line(MARGIN_LEFT, top, PAGE_WIDTH - MARGIN_RIGHT, top)
            canvas.restoreState()
            footer.drawOn(canvas, MARGIN_LEFT, 0.9 * cm)

    kind_label = {
        "created": "subdomain telah dibuat",
        "exists": "subdomain telah tersedia",
        "advice": "saran teknis",
        "declined": "permohonan belum dapat dipenuhi",
    }[letter.kind.value]
    return _build(
        story,
        title=letter.subject,
        author=body_mod.office_display_name(office),
        subject=f"Surat balasan ({kind_label}) Nomor {letter_number_text(letter, office)}",
        creator=office.system_name,
        keywords=letter.fqdn,
        day=letter.date,
        on_page=on_page,
    )


def _draw_draft_mark(canvas: Canvas, fonts: FontSet) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.8, 0.1, 0.1))
    canvas.setFont(fonts.bold, 9)
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN_RIGHT, PAGE_HEIGHT - 1.2 * cm,
        f"{DRAFT_MARK} - belum ditandatangani, bukan surat resmi",
    )
    canvas.setFillColor(colors.Color(0.86, 0.86, 0.86))
    canvas.setFont(fonts.bold, 120)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, DRAFT_MARK)
    canvas.restoreState()


# ---------------------------------------------------------------- disposition sheet

def _urgency_boxes(selected: Urgency) -> str:
    return "<br/>".join(
        f"{'[X]' if u is selected else '[&nbsp;&nbsp;]'} {u.value}" for u in Urgency
    )


def render_disposition_sheet(
    sheet: DispositionSheet, office: OfficeIdentity, *, fonts: FontSet | None = None
) -> bytes:
    """Render a lembar disposisi (A4 PDF bytes): kop, the incoming letter's data in a bordered
    form, then the table of dispositions."""
    st = _Styles(fonts or FontSet())
    cell = st.style("dc", fontSize=10, leading=12.5)
    bold = st.style("dcb", fontName=st.fonts.bold, fontSize=10, leading=12.5)
    story: list[Flowable] = [*_kop(office, st)]
    story.append(
        Paragraph("<u>LEMBAR DISPOSISI</u>",
                  st.style("dt", fontName=st.fonts.bold, fontSize=13, leading=16,
                           alignment=TA_CENTER))
    )
    story.append(Spacer(1, 0.4 * cm))

    def p(text: str) -> Paragraph:
        return Paragraph(esc(text), cell)

    colon = Paragraph(":", cell)
    rows: list[list[Any]] = [
        [p("Surat dari"), colon, p(sheet.from_agency),
         p("Diterima tanggal"), colon, p(format_date_id(sheet.received_date))],
        [p("Nomor surat"), colon, p(sheet.letter_number),
         p("Nomor agenda"), colon, p(sheet.agenda_number)],
        [p("Tanggal surat"), colon, p(format_date_id(sheet.letter_date)),
         p("Sifat"), colon, Paragraph(_urgency_boxes(sheet.urgency), cell)],
        [p("Perihal"), colon, p(sheet.subject), "", "", ""],
    ]
    half = CONTENT_WIDTH / 2
    form = Table(
        rows,
        colWidths=[2.6 * cm, 0.35 * cm, half - 2.95 * cm, 3.0 * cm, 0.35 * cm, half - 3.35 * cm],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.black),
                ("LINEAFTER", (2, 0), (2, 2), 0.5, colors.black),
                ("SPAN", (2, 3), (5, 3)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )
    story.append(form)
    story.append(Spacer(1, 0.5 * cm))

    head = ["No.", "Diteruskan kepada", "Dengan hormat harap", "Catatan", "Dari / Tanggal"]
    table_rows: list[list[Any]] = [[Paragraph(h, bold) for h in head]]
    for i, entry in enumerate(sheet.entries, start=1):
        signer = (
            f"<b>{esc(entry.official_name)}</b><br/>{esc(entry.official_position)}<br/>"
            f"{esc(format_datetime_id(entry.at, office.timezone, office.zone_label))}"
        )
        table_rows.append(
            [p(f"{i}."), p(entry.to), p(entry.instruction), p(entry.note or "-"),
             Paragraph(signer, cell)]
        )
    blank_rows = 0 if sheet.entries else 3
    for _ in range(blank_rows):
        table_rows.append(["", "", "", "", ""])
    widths = [1.0 * cm, 3.4 * cm, 3.0 * cm, 3.8 * cm, CONTENT_WIDTH - 11.2 * cm]
    heights: list[float | None] = [None] * (len(table_rows) - blank_rows) + [2.5 * cm] * blank_rows
    story.append(
        Table(
            table_rows,
            colWidths=widths,
            rowHeights=heights,
            repeatRows=1,
            style=TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                    ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            ),
        )
    )

    def on_page(canvas: Canvas, page: int) -> None:
        if page > 1:
            canvas.setFont(st.fonts.regular, 10)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 1.3 * cm, f"- {page} -")

    return _build(
        story,
        title=f"Lembar Disposisi {sheet.agenda_number}",
        author=body_mod.office_display_name(office),
        subject=f"Disposisi surat {sheet.letter_number}: {sheet.subject}",
        creator=office.system_name,
        keywords=sheet.agenda_number,
        day=sheet.received_date,
        on_page=on_page,
    )
