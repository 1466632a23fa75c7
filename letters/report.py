"""The monthly service performance report (Laporan Kinerja) as an A4 PDF, for a Kepala Dinas
to read at a glance.

Input is `bot.reports.MonthFigures`; this module only lays it out: the report's date, the
summary, the requests still open past their standard time (who holds them, for how long), the
time per step in plain words ("separuh selesai dalam", "90% selesai dalam"), the finished steps
that ran over, one chart of the share of steps done within standard per named step, and the
signature block (Disusun oleh / Mengetahui). Deterministic bytes (reportlab invariant mode).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from letters.dates import format_date_id, month_name_id
from letters.figures import MonthFigures, OpenCase, ReportSigner, StepFigures, Visit
from letters.fonts import FontSet, default_fonts
from letters.numbers import NO_DATA, duration_id, number_id, percent_id
from letters.render import esc

TITLE = "LAPORAN KINERJA LAYANAN SUBDOMAIN"
EMPTY_LINE = "Tidak ada permohonan yang diterima pada bulan {month}."
NO_STANDARD = "tanpa standar"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2.0 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MINUTES_CHART_MAX = 120.0
"""Steps whose largest value (minutes) is at most this go into the chart in minutes."""

HEADER_FILL = colors.HexColor("#D9E2F3")
BAR_FILL = colors.HexColor("#2E75B6")


# ---------------------------------------------------------------- formatting


def step_name(step: StepFigures) -> str:
    return " / ".join(step.state_labels)


def step_roles(step: StepFigures) -> str:
    return " / ".join(step.role_titles)


def step_standard(step: StepFigures) -> str:
    return step.standard_label


def step_share(step: StepFigures) -> str:
    return NO_STANDARD if not step.has_standard else percent_id(step.share_within)


class _Cell(Paragraph):  # type: ignore[misc]
    """A table cell's paragraph. reportlab's `Table` wraps every cell at the same width three
    or four times (row heights, each split at a page end, drawing); the lines of the last
    width are kept, as wrapping again gives the same lines (same PDF, a third of its time)."""

    _wrapped: tuple[float, Any, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        wrapped = self._wrapped
        if wrapped is not None and wrapped[0] == availWidth:
            _width, self.blPara, self.height = wrapped
            self.width = availWidth
            return availWidth, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        if size[0] == availWidth:  # wrapped (not refused for a width below reportlab's fuzz)
            self._wrapped = (availWidth, self.blPara, self.height)
        return size


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Styles:
    fonts: FontSet

    def style(self, name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": self.fonts.regular, "fontSize": 10, "leading": 13}
        base.update(kw)
        return ParagraphStyle(name, **base)

    @property
    def title(self) -> ParagraphStyle:
        return self.style("title", fontName=self.fonts.bold, fontSize=14, leading=18,
                          alignment=TA_CENTER)

    @property
    def subtitle(self) -> ParagraphStyle:
        return self.style("subtitle", fontName=self.fonts.bold, fontSize=11.5, leading=15,
                          alignment=TA_CENTER)

    @property
    def heading(self) -> ParagraphStyle:
        return self.style("heading", fontName=self.fonts.bold, fontSize=11, leading=14,
                          spaceBefore=10, spaceAfter=5, keepWithNext=1)

    @property
    def normal(self) -> ParagraphStyle:
        return self.style("normal")

    @property
    def note(self) -> ParagraphStyle:
        return self.style("note", fontSize=8, leading=10, textColor=colors.HexColor("#404040"))

    @property
    def cell(self) -> ParagraphStyle:
        return self.style("cell", fontSize=8.5, leading=10.5)

    @property
    def cell_right(self) -> ParagraphStyle:
        return self.style("cellr", fontSize=8.5, leading=10.5, alignment=TA_RIGHT)

    @property
    def head(self) -> ParagraphStyle:
        return self.style("head", fontName=self.fonts.bold, fontSize=8.5, leading=10.5)


def _grid(rows: list[list[Any]], widths: Sequence[float], font: str, *,
          numeric_from: int = 99) -> Table:
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if numeric_from < len(widths):
        style.append(("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"))
    return Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT",
                 style=TableStyle(style))


# ---------------------------------------------------------------- sections


def _summary(figures: MonthFigures, st: _Styles) -> Table:
    labels = ("Diterima", "Selesai", "Ditolak", "Ditarik", "Dalam proses")
    values = (figures.received, figures.completed, figures.declined, figures.withdrawn,
              figures.pending)
    width = CONTENT_WIDTH / len(labels)
    table = _grid([[_Cell(esc(x), st.head) for x in labels],
                   [str(v) for v in values]], [width] * len(labels), st.fonts.regular)
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("FONTNAME", (0, 1), (-1, 1), st.fonts.bold),
                               ("FONTSIZE", (0, 1), (-1, 1), 12)]))
    return table


def _steps_table(figures: MonthFigures, st: _Styles) -> Table:
    head = ["Tahap", "Pelaksana", "Waktu standar", "Jumlah", "Separuh selesai dalam",
            "90% selesai dalam", "Sesuai standar"]
    rows: list[list[Any]] = [[_Cell(esc(h), st.head) for h in head]]
    for s in figures.steps:
        rows.append([
            _Cell(esc(f"{s.number}. {step_name(s)}"), st.cell),
            _Cell(esc(step_roles(s)), st.cell),
            _Cell(esc(step_standard(s)), st.cell),
            _Cell(str(s.count), st.cell_right),
            _Cell(esc(duration_id(s.median)), st.cell),
            _Cell(esc(duration_id(s.p90)), st.cell),
            _Cell(esc(step_share(s)), st.cell),
        ])
    widths = [4.1 * cm, 3.5 * cm, 1.9 * cm, 1.5 * cm, 1.8 * cm, 1.8 * cm]
    widths.append(CONTENT_WIDTH - sum(widths))
    return _grid(rows, widths, st.fonts.regular)


def _slowest_table(figures: MonthFigures, zone_label: str, st: _Styles) -> Flowable:
    if not figures.slowest:
        return Paragraph(esc(NO_LATE_STEPS), st.normal)
    zone = figures.tz

    def row(i: int, v: Visit) -> list[Any]:
        entered = v.entered.astimezone(zone)
        return [
            str(i),
            v.request_number,
            _Cell(esc(f"{v.step}. {v.state_label}"), st.cell),
            _Cell(esc(f"{entered:%d-%m-%Y %H.%M}"), st.cell),
            _Cell(esc(duration_id(v.working)), st.cell),
            _Cell(esc(duration_id(v.over_by)), st.cell),
        ]

    head = ["No.", "Nomor permohonan", "Tahap", f"Masuk tahap ({zone_label})".replace(" ()", ""),
            "Lama (waktu kerja)", "Melebihi standar"]
    rows: list[list[Any]] = [[_Cell(esc(h), st.head) for h in head]]
    rows += [row(i, v) for i, v in enumerate(figures.slowest, start=1)]
    widths = [0.9 * cm, 2.9 * cm, 5.4 * cm, 3.1 * cm, 2.2 * cm]
    widths.append(CONTENT_WIDTH - sum(widths))
    table = _grid(rows, widths, st.fonts.regular)
    table.setStyle(TableStyle([("FONTSIZE", (0, 1), (-1, -1), 8.5)]))
    return table


OPEN_ROWS = 50
"""Open requests past standard listed in the PDF (the worst first); the rest are counted."""


def _open_table(figures: MonthFigures, zone_label: str, st: _Styles) -> list[Flowable]:
    if not figures.open_overdue:
        day = _as_of_text(figures)
        return [Paragraph(esc(NO_OPEN_OVERDUE + (f" per {day}." if day else ".")), st.normal)]
    zone = figures.tz

    def over(c: OpenCase) -> str:
        text = duration_id(c.over_by)
        if c.times_standard >= 2:
            text += f" (telah melewati {c.times_standard} kali waktu standar)"
        return text

    def row(i: int, c: OpenCase) -> list[Any]:
        since = c.since.astimezone(zone)
        return [
            str(i),
            _Cell(esc(f"{c.request_number}\n{c.agency}"), st.cell),
            _Cell(esc(f"{c.step}. {c.state_label}"), st.cell),
            _Cell(esc(c.holder), st.cell),
            _Cell(esc(f"{since:%d-%m-%Y} pukul {since:%H.%M}"), st.cell),
            _Cell(esc(f"{c.standard_label}"), st.cell),
            _Cell(esc(over(c)), st.cell),
        ]

    head = ["No.", "Permohonan", "Tahap", "Dipegang oleh",
            f"Sejak ({zone_label})".replace(" ()", ""), "Waktu standar", "Lewat dari standar"]
    rows: list[list[Any]] = [[_Cell(esc(h), st.head) for h in head]]
    shown = figures.open_overdue[:OPEN_ROWS]
    rows += [row(i, c) for i, c in enumerate(shown, start=1)]
    widths = [0.8 * cm, 2.8 * cm, 3.0 * cm, 3.4 * cm, 2.3 * cm, 1.8 * cm]
    widths.append(CONTENT_WIDTH - sum(widths))
    grid = _grid(rows, widths, st.fonts.regular)
    if len(shown) == len(figures.open_overdue):
        return [grid]
    # A long list is pages nobody reads and seconds of rendering: the worst, and the count.
    return [grid, Paragraph(esc(
        f"Ditampilkan {len(shown)} permohonan yang paling lama melewati waktu standar dari "
        f"{len(figures.open_overdue)} permohonan; daftar lengkap dengan perintah "
        "request list."), st.normal)]


# ---------------------------------------------------------------- chart


def share_chart_rows(figures: MonthFigures) -> list[tuple[str, float]]:
    """(``1. Disposisi Kadis``, percent within standard) of every step with a standard time
    and at least one finished visit, in step order."""
    return [(f"{s.number}. {s.short_label}", (s.share_within or 0.0) * 100)
            for s in figures.steps if s.has_standard and s.count]


def share_chart(rows: Sequence[tuple[str, float]], fonts: FontSet,
                width: float = CONTENT_WIDTH) -> Drawing:
    """One horizontal bar per named step: the share of its visits done within standard."""
    bar = 0.75 * cm
    height = 40 + bar * len(rows) + 30
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular  # else reportlab names Helvetica, never embedded
    drawing.add(String(0, height - 12, "Tahap yang selesai dalam waktu standar (%)",
                       fontName=fonts.bold, fontSize=10))
    chart = HorizontalBarChart()
    chart.x, chart.y = 125, 25
    chart.width = width - 160
    chart.height = bar * len(rows)
    # reportlab draws the first category at the bottom: reverse, so step 1 is on top
    ordered = list(reversed(rows))
    chart.data = [[value for _, value in ordered]]
    chart.categoryAxis.categoryNames = [name for name, _ in ordered]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#D0D0D0")
    chart.bars[0].fillColor = BAR_FILL
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f"{number_id(v)}%"
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barWidth = bar * 0.6
    drawing.add(chart)
    return drawing


# ---------------------------------------------------------------- signature block


def _signature_block(signers: Sequence[ReportSigner], place: str, figures: MonthFigures,
                     st: _Styles) -> Flowable:
    day = _as_of_text(figures)
    centred = st.style("sgc", alignment=TA_CENTER)
    columns: list[list[Flowable]] = []
    for i, signer in enumerate(signers):
        top = f"{place}, {day}" if i == len(signers) - 1 and place and day else ""
        parts: list[Flowable] = [
            Paragraph(esc(top) or "&nbsp;", centred),
            Paragraph(esc(f"{signer.caption},"), centred),
            Paragraph(esc(signer.title), centred),
            Spacer(1, 1.6 * cm),
            Paragraph(f"<u><b>{esc(signer.name)}</b></u>" if signer.name
                      else "(" + "&nbsp;" * 50 + ")", centred),
        ]
        if signer.nip:
            parts.append(Paragraph(esc(f"NIP. {signer.nip}"), centred))
        columns.append(parts)
    width = CONTENT_WIDTH / max(len(columns), 1)
    table = Table([columns], colWidths=[width] * len(columns),
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("FONTNAME", (0, 0), (-1, -1), st.fonts.regular)]))
    return KeepTogether([Spacer(1, 0.6 * cm), table])


def _as_of_text(figures: MonthFigures) -> str:
    """The report's day in the office zone, e.g. ``3 Desember 2026``; empty when unknown."""
    if figures.as_of is None:
        return ""
    return format_date_id(figures.as_of.astimezone(figures.tz).date())


# ---------------------------------------------------------------- document


def _footer(label: str, fonts: FontSet) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.drawString(MARGIN, 1.2 * cm, f"Laporan Kinerja Layanan Subdomain, {label}")
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 1.2 * cm, f"Halaman {doc.page}")
        canvas.restoreState()

    return draw


NO_OPEN_OVERDUE = "Tidak ada permohonan terbuka yang melewati waktu standar"
NO_LATE_STEPS = "Tidak ada tahap selesai yang melebihi waktu standar."
NOTES = (
    "Permohonan dihitung pada bulan diterimanya. Waktu dihitung dalam waktu kerja: jam kantor "
    "pada hari kerja, tanpa jam istirahat, akhir pekan dan hari libur. Setiap kali permohonan "
    "berada pada suatu tahap dihitung satu kali; permohonan yang dikembalikan menambah jumlahnya. "
    "\"Separuh selesai dalam\": separuh dari tahap tersebut selesai dalam waktu itu atau lebih "
    "cepat. \"90% selesai dalam\": sembilan dari sepuluh tahap selesai dalam waktu itu atau lebih "
    "cepat. Waktu standar 1 hari kerja terpenuhi bila tahap selesai paling lambat pada jam yang "
    f"sama pada hari kerja berikutnya. Tanda {NO_DATA}: belum ada data."
)


def render_month_report(
    figures: MonthFigures,
    office_name: str,
    month_label: str | None = None,
    *,
    zone_label: str,
    fonts: FontSet | None = None,
    signers: Sequence[ReportSigner] = (),
    place: str = "",
) -> bytes:
    """The month's report as PDF bytes. ``month_label`` defaults to e.g. ``November 2026``;
    ``zone_label`` is what the office writes after a time (``WIB``, ``WITA``, ``UTC+9``);
    ``signers`` are the columns of the signature block (``Disusun oleh``, ``Mengetahui``),
    dated at ``place`` on the report's day."""
    fonts = fonts or default_fonts()
    st = _Styles(fonts)
    label = month_label or f"{month_name_id(figures.month)} {figures.year}"
    story: list[Flowable] = [
        Paragraph(esc(office_name), st.subtitle),
        Spacer(1, 0.3 * cm),
        Paragraph(esc(TITLE), st.title),
        Paragraph(esc(f"Bulan {label}"), st.subtitle),
    ]
    day = _as_of_text(figures)
    if day:
        story.append(Paragraph(esc(f"Keadaan per {day}"), st.style("asof", alignment=TA_CENTER)))
    story += [
        Spacer(1, 0.4 * cm),
        Paragraph(esc("1. Ringkasan permohonan"), st.heading),
        _summary(figures, st),
        *([Paragraph(esc("Menurut jenis: " + " · ".join(
            f"{label} {count}" for label, count in figures.by_kind)), st.normal)]
          if figures.by_kind and not figures.is_empty else []),
        Paragraph(esc("2. Permohonan terbuka yang melewati waktu standar"), st.heading),
        *_open_table(figures, zone_label, st),
    ]
    if figures.is_empty:
        story += [Spacer(1, 0.4 * cm), Paragraph(esc(EMPTY_LINE.format(month=label)), st.normal)]
    else:
        story += [
            Paragraph(esc("3. Waktu penyelesaian per tahap (Mutu Baku)"), st.heading),
            _steps_table(figures, st),
            Spacer(1, 0.15 * cm),
            Paragraph(esc(NOTES), st.note),
            Paragraph(esc("4. Tahap selesai yang melebihi waktu standar"), st.heading),
            _slowest_table(figures, zone_label, st),
        ]
        rows = share_chart_rows(figures)
        if rows:
            story += [
                Paragraph(esc("5. Ketepatan waktu per tahap"), st.heading),
                share_chart(rows, fonts),
            ]
    if signers:
        story.append(_signature_block(signers, place, figures, st))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"Laporan Kinerja Layanan Subdomain {label}",
        author=office_name, subject=f"Mutu Baku layanan subdomain, {label}",
        creator="subdomain-bot", producer="ReportLab", invariant=1, lang="id-ID",
        initialFontName=fonts.regular,
    )
    footer = _footer(label, fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
