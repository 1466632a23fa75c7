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
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
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
from letters.fonts import FontSet as FontSet
from letters.fonts import default_fonts
from letters.model import (
    DispositionSheet,
    OfficeIdentity,
    PageLayout,
    ReplyLetter,
    Seal,
    SignatureBox,
    Urgency,
)
from letters.numbering import PLACEHOLDER, placeholder_letter_number

DRAFT_MARK = "KONSEP"
FONT_SIZE = 12
"""Body text of letters, in points (Arial-metric 12 pt, as offices write)."""


@dataclass(frozen=True)
class Page:
    """The page a document is laid out on: paper size and margins in points."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @classmethod
    def of(cls, layout: PageLayout) -> Page:
        width, height = layout.size
        return cls(width, height, layout.left * cm, layout.right * cm, layout.top * cm,
                   layout.bottom * cm)

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right


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
            "fontSize": FONT_SIZE,
            "leading": 15,
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
        return self.style("small", fontSize=10, leading=12.5)

    @property
    def cell(self) -> ParagraphStyle:
        return self.style("cell", fontSize=10, leading=12.5, wordWrap="CJK")

    @property
    def cell_bold(self) -> ParagraphStyle:
        return self.style("cellb", fontName=self.fonts.bold, fontSize=10, leading=12.5)

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


EMBLEM_WIDTH = 2.0 * cm
EMBLEM_HEIGHT = 2.4 * cm


def _kop(office: OfficeIdentity, st: _Styles, width: float) -> list[Flowable]:
    """The kop naskah dinas: the emblem on the left, the lines centred beside it (government,
    office, the address written out), then the double rule."""
    f = st.fonts
    lines = [
        Paragraph(esc(office.government_line), st.style("k1", fontName=f.bold, fontSize=14,
                                                       leading=17, alignment=TA_CENTER)),
        Paragraph(esc(office.office_name), st.style("k2", fontName=f.bold, fontSize=16,
                                                   leading=19.5, alignment=TA_CENTER)),
        Paragraph(esc(office.kop_address),
                  st.style("k3", fontSize=9.5, leading=11.5, alignment=TA_CENTER)),
    ]
    row: list[Any] = [lines]
    widths = [width]
    if office.emblem_path is not None:
        path = Path(office.emblem_path)
        if not path.is_file():
            raise FileNotFoundError(f"emblem image not found: {path}")
        emblem = Image(str(path), width=EMBLEM_WIDTH, height=EMBLEM_HEIGHT, kind="proportional",
                       mask="auto")
        side = EMBLEM_WIDTH + 0.2 * cm
        row, widths = [emblem, lines], [side, width - side]
    table = Table(
        [row],
        colWidths=widths,
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), f.regular),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, 0), "LEFT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return [table, DoubleRule(width), Spacer(1, 0.25 * cm)]


def _plain_table(rows: list[list[Any]], widths: list[float], font: str,
                 padding: float = 1) -> Table:
    return Table(
        rows,
        colWidths=widths,
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
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
    page: Page,
    fonts: FontSet,
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
        pagesize=(page.width, page.height),
        leftMargin=page.left,
        rightMargin=page.right,
        topMargin=page.top,
        bottomMargin=page.bottom,
        title=title,
        author=author,
        subject=subject,
        creator=creator,
        producer="ReportLab",
        keywords=keywords,
        invariant=1,
        lang="id-ID",
        initialFontName=fonts.regular,  # else reportlab names Helvetica, never embedded
        initialFontSize=FONT_SIZE,
    )

    def hook(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setDateFormatter(_pdf_date(day))
        on_page(canvas, document.page)

    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buffer.getvalue()


# ---------------------------------------------------------------- reply letter


def _qr(value: str, size: float, font: str) -> Drawing:
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
    drawing.initialFontName = font  # else reportlab names Helvetica, never embedded
    drawing.add(path)
    return drawing


def letter_date_text(letter: ReplyLetter, office: OfficeIdentity) -> str:
    """``<place>, 29 November 2026``; a KONSEP leaves the day open (``<place>, … 2026``):
    the letter is dated the day it is signed."""
    if letter.draft:
        return f"{office.place}, {PLACEHOLDER} {letter.date.year}"
    return f"{office.place}, {format_date_id(letter.date)}"


PARAF_TITLE = "PARAF KOORDINASI"
"""The heading of the KONSEP's paraf box (the paraf hierarki of the officials who handled it)."""
PARAF_GAP = 0.2 * cm
"""The space above the signature block, kept above the paraf box beside it."""


class _Beside(Flowable):  # type: ignore[misc]
    """Draws `inner` in the empty left column of the block that follows it (the signature
    block), where a paraf hierarki goes; takes no height of its own."""

    def __init__(self, inner: Flowable, width: float) -> None:
        super().__init__()
        self.inner = inner
        self.box_width = width
        self.box_height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, self.box_height = self.inner.wrap(self.box_width, avail_height)
        return avail_width, 0

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, -PARAF_GAP - self.box_height)


def _paraf_table(letter: ReplyLetter, office: OfficeIdentity, st: _Styles,
                 width: float) -> Table:
    """The paraf box: each official who handled the letter (position, name) with their paraf,
    the time of their electronic approval."""
    cell = st.style("pc", fontSize=7.5, leading=9)
    bold = st.style("pcb", fontName=st.fonts.bold, fontSize=7.5, leading=9)
    rows: list[list[Any]] = [[Paragraph(PARAF_TITLE, bold)]]
    for paraf in letter.paraf:
        rows.append([[Paragraph(f"<b>{esc(paraf.position)}</b>", cell),
                      Paragraph(esc(paraf.name), cell),
                      Paragraph(esc(f"Paraf: {paraf_text(paraf.at, office)}"), cell)]])
    return Table(rows, colWidths=[width], hAlign="LEFT", style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))


def _with_paraf(letter: ReplyLetter, office: OfficeIdentity, st: _Styles, width: float,
                signature: Flowable) -> list[Flowable]:
    """The signature block; on a KONSEP with the paraf box in its empty left column (or, when
    the box is taller than the block, the box below the block)."""
    if not (letter.draft and letter.paraf):
        return [signature]
    side = width - SIGNATURE_WIDTH - 0.3 * cm
    table = _paraf_table(letter, office, st, side)
    _, box_height = table.wrap(side, 1000 * cm)
    canvas = Canvas(io.BytesIO())
    signature_height = sum(  # a KeepTogether answers "too tall" to wrap: measure its parts
        part.wrapOn(canvas, width, 1000 * cm)[1]
        for part in getattr(signature, "_content", [signature]))
    if side >= 4 * cm and box_height + PARAF_GAP <= signature_height:
        # On the page of the signature block: break first when the block would not fit.
        return [CondPageBreak(signature_height + 1), _Beside(table, side), signature]
    return [signature, Spacer(1, 0.3 * cm), _paraf_table(letter, office, st, width / 2)]


def letter_number_text(letter: ReplyLetter, office: OfficeIdentity) -> str:
    """The number as printed: the real one, or ``…/…/Diskominfo-Kab/2026`` on a draft."""
    if letter.draft or not letter.number:
        return placeholder_letter_number(office.number_pattern, office.unit_code, letter.date.year,
                                         month=letter.date.month)
    return letter.number


def verification_statement(letter: ReplyLetter, office: OfficeIdentity) -> str:
    """Footer sentence of a final letter: exactly what the letter carries (`letter.seal`)."""
    code = letter.verification_code or "-"
    where = (f" Keaslian surat dapat diperiksa melalui kode QR atau {letter.verification_url}"
             if letter.verification_url else "")
    register = (f"Surat ini tercatat dalam agenda surat keluar {office.system_name} "
                f"{body_mod.office_display_name(office)} dengan kode verifikasi {code}.")
    if letter.seal is Seal.BSRE:
        return ("Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat "
                "elektronik yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), "
                f"Badan Siber dan Sandi Negara. {register}{where}")
    if letter.seal is Seal.PADES:
        return ("Dokumen ini ditandatangani secara elektronik dengan sertifikat elektronik "
                f"atas nama {letter.signatory.name}; tanda tangan tersimpan di dalam berkas PDF "
                f"ini dan dapat diperiksa dengan pembaca PDF. {register}{where}")
    if letter.seal is Seal.WET:
        return ("Surat ini sah bila ditandatangani basah oleh pejabat yang berwenang dan "
                f"dibubuhi cap dinas. {register}{where}")
    return (
        f"CONTOH UNTUK DEMO: surat ini disetujui secara elektronik melalui {office.system_name} "
        f"{body_mod.office_display_name(office)} dengan kode verifikasi {code}; surat ini "
        "tidak ditandatangani, baik basah maupun dengan tanda tangan elektronik, dan bukan "
        f"surat resmi.{where}"
    )


DEMO_MARK = "CONTOH DEMO - tidak ditandatangani, bukan surat resmi"
"""Top-right mark of a final letter with no signature (SIGNING_PROVIDER=none)."""
SIGNATURE_SPACE = 2.4 * cm
"""Height left for a wet signature and the stamp, or an electronic signature's mark."""


class SignatureSlot(Flowable):  # type: ignore[misc]
    """Empty space in the signature block that reports where it was drawn (page and
    rectangle), so that a signature's visible mark can be placed exactly there."""

    def __init__(self, width: float, height: float,
                 found: Callable[[SignatureBox], None]) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._found = found

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self._found(SignatureBox(page=self.canv.getPageNumber() - 1, x1=x, y1=y,
                                 x2=x + self.width, y2=y + self.height))


SIGNATURE_WIDTH = 10.8 * cm
"""Wide enough for "Plt. KEPALA DINAS KOMUNIKASI DAN INFORMATIKA," on one line at 12 pt."""


def _signature_block(letter: ReplyLetter, st: _Styles, width: float,
                     found: Callable[[SignatureBox], None] | None = None) -> Flowable:
    sig = letter.signatory
    centred = st.style("sig", alignment=TA_CENTER)
    parts: list[Flowable] = []
    if sig.on_behalf:
        parts.append(Paragraph(esc(f"a.n. {sig.on_behalf}"), centred))
    parts.append(Paragraph(esc(f"{sig.title_line},"), centred))
    qr_value = letter.verification_url or letter.verification_code
    if not letter.draft and letter.seal is not Seal.NONE:
        # left empty: the pen and the stamp, or the electronic signature's visible mark
        slot = SignatureSlot(SIGNATURE_WIDTH - 1.6 * cm, SIGNATURE_SPACE,
                             found or (lambda _box: None))
        parts.append(Table([[slot]], colWidths=[SIGNATURE_WIDTH],
                           style=[("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular)]))
    elif not letter.draft and qr_value:
        parts.append(Spacer(1, 0.15 * cm))
        qr = _qr(qr_value, 2.0 * cm, st.fonts.regular)
        parts.append(Table([[qr]], colWidths=[SIGNATURE_WIDTH],
                           style=[("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                  ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular)]))
        parts.append(Spacer(1, 0.1 * cm))
    else:
        parts.append(Spacer(1, 2.0 * cm))
    parts.append(Paragraph(f"<u><b>{esc(sig.name)}</b></u>", centred))
    if sig.rank:
        parts.append(Paragraph(esc(sig.rank), centred))
    parts.append(Paragraph(esc(f"NIP. {sig.nip}"), centred))
    block = Table(
        [["", parts]],
        colWidths=[width - SIGNATURE_WIDTH, SIGNATURE_WIDTH],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return KeepTogether([Spacer(1, 0.2 * cm), block])


def _records_table(records: Sequence[tuple[str, str, str, int]], st: _Styles,
                   width: float) -> Table:
    head = ["No.", "Nama", "Tipe", "Nilai", "Masa simpan (detik)"]
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
    fixed = [1.1 * cm, 1.9 * cm, 2.7 * cm]
    name_width = (width - sum(fixed)) * 0.55
    value_width = width - sum(fixed) - name_width
    widths = [fixed[0], name_width, fixed[1], value_width, fixed[2]]
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        hAlign="CENTER",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular),
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
    style = st.style("tb", fontSize=11, leading=13.5)
    item_style = st.style("tbi", fontSize=11, leading=13.5, leftIndent=0.6 * cm,
                          firstLineIndent=-0.6 * cm)
    out: list[Flowable] = [Paragraph("Tembusan:", style)]
    if len(items) == 1:  # a single copy is not numbered
        out.append(Paragraph(esc(f"{items[0].strip().rstrip(';.')}."), style))
    for i, item in enumerate(items if len(items) > 1 else (), start=1):
        text = item.strip().rstrip(";.")
        end = "." if i == len(items) else ";"
        out.append(Paragraph(esc(f"{i}. {text}{end}"), item_style))
    return [Spacer(1, 0.2 * cm), KeepTogether(out)]


def _page_number(canvas: Canvas, page: Page, number: int, fonts: FontSet) -> None:
    if number > 1:
        canvas.setFont(fonts.regular, 10)
        canvas.drawCentredString(page.width / 2, page.height - 1.3 * cm, f"- {number} -")


def render_reply_letter(
    letter: ReplyLetter,
    office: OfficeIdentity,
    templates_dir: Path | None = None,
    *,
    fonts: FontSet | None = None,
    signature_box: list[SignatureBox] | None = None,
) -> bytes:
    """Render ``letter`` as a PDF on the office's paper (A4 or F4) and return its bytes.
    Where the signature goes is appended to ``signature_box`` (a final letter with a seal).

    Raises ``body.TemplateError`` for a broken template, ``body.CredentialError`` if the text
    looks like it carries a password, FileNotFoundError for a missing emblem image,
    ``fonts.FontMissing`` when Liberation Sans is not installed.
    """
    st = _Styles(fonts or default_fonts())
    page = Page.of(office.page)
    width = page.content_width
    blocks = body_mod.build_body(letter, office, templates_dir)
    subject = body_mod.subject_of(letter, office, templates_dir)
    tembusan = body_mod.tembusan_of(letter, office, templates_dir)

    story: list[Flowable] = [*_kop(office, st, width)]
    story.append(Paragraph(esc(letter_date_text(letter, office)), st.right))
    story.append(Spacer(1, 0.1 * cm))
    header_rows = [
        ("Nomor", letter_number_text(letter, office)),
        ("Sifat", letter.nature),
        ("Lampiran", letter.attachments),
        ("Hal", subject),
    ]
    story.append(
        _plain_table(
            [[Paragraph(k, st.normal), Paragraph(":", st.normal), Paragraph(esc(v), st.normal)]
             for k, v in header_rows],
            [2.3 * cm, 0.4 * cm, width - 2.7 * cm],
            st.fonts.regular,
        )
    )
    story.append(Spacer(1, 0.4 * cm))
    story.append(
        Paragraph(esc(f"Yth. {letter.addressee.title}"),
                  st.style("yth", leftIndent=0.95 * cm, firstLineIndent=-0.95 * cm))
    )
    place = letter.addressee.place.strip()
    story.append(Paragraph("di -" if place.lower() == "tempat" else "di",
                           st.style("di", leftIndent=0.95 * cm)))
    story.append(Paragraph(esc(place), st.style("dip", leftIndent=1.9 * cm)))
    story.append(Spacer(1, 0.4 * cm))

    for block in blocks:
        if isinstance(block, body_mod.RecordsTable):
            story.append(Spacer(1, 0.1 * cm))
            story.append(_records_table(block.records, st, width))
            story.append(Spacer(1, 0.3 * cm))
        else:
            story.append(Paragraph(esc(block.text), st.body))

    # The paraf box (KONSEP only) and the signature's slot (final letter only) never meet.
    story.extend(_with_paraf(letter, office, st, width, _signature_block(
        letter, st, width, signature_box.append if signature_box is not None else None)))
    story.extend(_tembusan(tembusan, st))

    footer = None
    if not letter.draft and letter.verification_code:
        footer = Paragraph(
            esc(verification_statement(letter, office)),
            st.style("foot", fontName=st.fonts.italic, fontSize=8, leading=10),
        )

    def on_page(canvas: Canvas, number: int) -> None:
        _page_number(canvas, page, number, st.fonts)
        if letter.draft:
            _draw_draft_mark(canvas, st.fonts, page)
        elif letter.seal is Seal.NONE:
            canvas.saveState()
            canvas.setFillColor(colors.Color(0.8, 0.1, 0.1))
            canvas.setFont(st.fonts.bold, 9)
            canvas.drawRightString(page.width - page.right, page.height - 1.0 * cm, DEMO_MARK)
            canvas.restoreState()
        if footer is not None:
            _, height = footer.wrap(width, page.bottom)
            canvas.saveState()
            canvas.setStrokeColor(colors.grey)
            canvas.setLineWidth(0.4)
            top = 0.9 * cm + height + 3
            canvas.line(page.left, top, page.width - page.right, top)
            canvas.restoreState()
            footer.drawOn(canvas, page.left, 0.9 * cm)

    kind_label = {
        "created": "subdomain telah dibuat",
        "exists": "subdomain telah tersedia",
        "advice": "saran teknis",
        "declined": "permohonan belum dapat dipenuhi",
        "changed": "subdomain telah diubah",
        "change_advice": "saran teknis perubahan",
        "change_declined": "perubahan belum dapat dipenuhi",
        "removed": "subdomain telah dinonaktifkan",
        "removal_advice": "saran teknis penonaktifan",
        "removal_declined": "penonaktifan belum dapat dipenuhi",
        "suspended": "subdomain ditangguhkan",
    }[letter.kind.value]
    return _build(
        story,
        page=page,
        fonts=st.fonts,
        title=subject,
        author=body_mod.office_display_name(office),
        subject=f"Surat balasan ({kind_label}) Nomor {letter_number_text(letter, office)}",
        creator=office.system_name,
        keywords=letter.fqdn,
        day=letter.date,
        on_page=on_page,
    )


def _draw_draft_mark(canvas: Canvas, fonts: FontSet, page: Page) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.8, 0.1, 0.1))
    canvas.setFont(fonts.bold, 9)
    canvas.drawRightString(
        page.width - page.right, page.height - 1.0 * cm,
        f"{DRAFT_MARK} - belum ditandatangani, bukan surat resmi",
    )
    canvas.setFillColor(colors.Color(0.86, 0.86, 0.86))
    canvas.setFont(fonts.bold, 120)
    canvas.translate(page.width / 2, page.height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, DRAFT_MARK)
    canvas.restoreState()


# ---------------------------------------------------------------- disposition sheet

def _urgency_boxes(selected: Urgency) -> str:
    return "<br/>".join(
        f"{'[X]' if u is selected else '[&nbsp;&nbsp;]'} {u.value}" for u in Urgency
    )


def paraf_text(at: dt.datetime, office: OfficeIdentity) -> str:
    """The paraf of an electronic approval: ``disetujui secara elektronik`` and its time."""
    return ("disetujui secara elektronik "
            f"{format_datetime_id(at, office.timezone, office.zone_label)}")


def render_disposition_sheet(
    sheet: DispositionSheet, office: OfficeIdentity, *, fonts: FontSet | None = None
) -> bytes:
    """Render a lembar disposisi (PDF bytes on the office's paper): kop, the incoming letter's
    data in a bordered form (surat dari, nomor and tanggal surat, diterima tanggal, nomor
    agenda, sifat, perihal as written), then one row per disposition: diteruskan kepada,
    dengan hormat harap (only the instruction the official chose), catatan and the paraf."""
    st = _Styles(fonts or default_fonts())
    page = Page.of(office.page)
    width = page.content_width
    cell = st.style("dc", fontSize=10.5, leading=13)
    small = st.style("dcs", fontSize=9, leading=11)
    bold = st.style("dcb", fontName=st.fonts.bold, fontSize=10.5, leading=13)
    story: list[Flowable] = [*_kop(office, st, width)]
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
    half = width / 2
    form = Table(
        rows,
        colWidths=[2.7 * cm, 0.35 * cm, half - 3.05 * cm, 3.2 * cm, 0.35 * cm, half - 3.55 * cm],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular),
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

    head = ["No.", "Diteruskan kepada", "Dengan hormat harap", "Catatan", "Paraf"]
    table_rows: list[list[Any]] = [[Paragraph(h, bold) for h in head]]
    for i, entry in enumerate(sheet.entries, start=1):
        paraf = [
            Paragraph(f"<b>{esc(entry.official_name)}</b>", cell),
            Paragraph(esc(entry.official_position), small),
            Paragraph(esc(paraf_text(entry.at, office)), small),
        ]
        table_rows.append(
            [p(f"{i}."), p(entry.to), p(entry.instruction or "-"), p(entry.note or "-"), paraf]
        )
    blank_rows = 0 if sheet.entries else 3
    for _ in range(blank_rows):
        table_rows.append(["", "", "", "", ""])
    widths = [1.1 * cm, 3.6 * cm, 3.2 * cm, 3.5 * cm]
    widths.append(width - sum(widths))
    heights: list[float | None] = [None] * (len(table_rows) - blank_rows) + [2.5 * cm] * blank_rows
    story.append(
        Table(
            table_rows,
            colWidths=widths,
            rowHeights=heights,
            repeatRows=1,
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular),
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

    def on_page(canvas: Canvas, number: int) -> None:
        _page_number(canvas, page, number, st.fonts)

    return _build(
        story,
        page=page,
        fonts=st.fonts,
        title=f"Lembar Disposisi {sheet.agenda_number}",
        author=body_mod.office_display_name(office),
        subject=f"Disposisi surat {sheet.letter_number}: {sheet.subject}",
        creator=office.system_name,
        keywords=sheet.agenda_number,
        day=sheet.received_date,
        on_page=on_page,
    )
