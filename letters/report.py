"""The monthly service performance report (Laporan Kinerja) as an A4 PDF.

Input is `bot.reports.MonthFigures`; this module only lays it out. Page 1: summary, per-step
table and the visits most over their standard; page 2: bar charts of median and P90 against the
standard time per step. Deterministic bytes (reportlab invariant mode).

Charts: a step whose largest value is at most two hours is drawn in minutes, the others in
hours, so the 15-minute steps are not flattened by step 4's working day. A "1 hari kerja"
standard is drawn as one full working day (`MonthFigures.nominal_day`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from letters.dates import month_name_id
from letters.figures import MonthFigures, StepFigures, Visit
from letters.fonts import FontSet, default_fonts
from letters.render import esc

TITLE = "LAPORAN KINERJA LAYANAN SUBDOMAIN"
EMPTY_LINE = "Tidak ada permohonan yang diterima pada bulan {month}."
NO_STANDARD = "tanpa standar"
NO_DATA = "—"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2.0 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MINUTES_CHART_MAX = 120.0
"""Steps whose largest value (minutes) is at most this go into the chart in minutes."""

HEADER_FILL = colors.HexColor("#D9E2F3")
SERIES = (
    ("Median", colors.HexColor("#4472C4")),
    ("P90", colors.HexColor("#ED7D31")),
    ("Waktu standar", colors.HexColor("#A5A5A5")),
)


# ---------------------------------------------------------------- formatting


def number_id(value: float, decimals: int = 1) -> str:
    """``22.5`` -> ``22,5``; ``20.0`` -> ``20`` (Indonesian decimal comma)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def duration_id(value: timedelta | None) -> str:
    """Working time for a table: ``45 menit``, ``3 jam``, ``8 jam 5 menit``; ``—`` for None."""
    if value is None:
        return NO_DATA
    minutes = round(value.total_seconds() / 60)
    if minutes == 0 and value > timedelta():
        return "< 1 menit"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} menit"
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


def percent_id(share: float | None) -> str:
    return NO_DATA if share is None else number_id(share * 100) + "%"


def step_name(step: StepFigures) -> str:
    return " / ".join(step.state_labels)


def step_roles(step: StepFigures) -> str:
    return " / ".join(step.role_titles)


def step_standard(step: StepFigures) -> str:
    return step.standard_label


def step_share(step: StepFigures) -> str:
    return NO_STANDARD if not step.has_standard else percent_id(step.share_within)


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


def _grid(rows: list[list[Any]], widths: Sequence[float], *, numeric_from: int = 99) -> Table:
    style = [
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
    table = _grid([[Paragraph(esc(x), st.head) for x in labels],
                   [str(v) for v in values]], [width] * len(labels))
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("FONTNAME", (0, 1), (-1, 1), st.fonts.bold),
                               ("FONTSIZE", (0, 1), (-1, 1), 12)]))
    return table


def _steps_table(figures: MonthFigures, st: _Styles) -> Table:
    head = ["Tahap", "Pelaksana", "Waktu standar", "Jumlah", "Median", "P90",
            "% sesuai standar"]
    rows: list[list[Any]] = [[Paragraph(esc(h), st.head) for h in head]]
    for s in figures.steps:
        rows.append([
            Paragraph(esc(f"{s.number}. {step_name(s)}"), st.cell),
            Paragraph(esc(step_roles(s)), st.cell),
            Paragraph(esc(step_standard(s)), st.cell),
            Paragraph(str(s.count), st.cell_right),
            Paragraph(esc(duration_id(s.median)), st.cell),
            Paragraph(esc(duration_id(s.p90)), st.cell),
            Paragraph(esc(step_share(s)), st.cell),
        ])
    widths = [4.1 * cm, 3.5 * cm, 1.9 * cm, 1.5 * cm, 1.8 * cm, 1.8 * cm]
    widths.append(CONTENT_WIDTH - sum(widths))
    return _grid(rows, widths)


def _slowest_table(figures: MonthFigures, zone_label: str, st: _Styles) -> Flowable:
    if not figures.slowest:
        return Paragraph(esc("Tidak ada tahap yang melebihi waktu standar."), st.normal)
    zone = figures.tz

    def row(i: int, v: Visit) -> list[Any]:
        entered = v.entered.astimezone(zone)
        return [
            str(i),
            v.request_number,
            Paragraph(esc(f"{v.step}. {v.state_label}"), st.cell),
            Paragraph(esc(f"{entered:%d-%m-%Y %H.%M}"), st.cell),
            Paragraph(esc(duration_id(v.working)), st.cell),
            Paragraph(esc(duration_id(v.over_by)), st.cell),
        ]

    head = ["No.", "Nomor permohonan", "Tahap", f"Masuk tahap ({zone_label})".replace(" ()", ""),
            "Waktu kerja", "Melebihi standar"]
    rows: list[list[Any]] = [[Paragraph(esc(h), st.head) for h in head]]
    rows += [row(i, v) for i, v in enumerate(figures.slowest, start=1)]
    widths = [0.9 * cm, 2.9 * cm, 5.4 * cm, 3.1 * cm, 2.2 * cm]
    widths.append(CONTENT_WIDTH - sum(widths))
    table = _grid(rows, widths)
    table.setStyle(TableStyle([("FONTSIZE", (0, 1), (-1, -1), 8.5)]))
    return table


# ---------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartData:
    """One chart: categories (``4. Cek teknis``) and three series in one unit."""

    unit: str  # "menit" | "jam"
    categories: tuple[str, ...]
    median: tuple[float | None, ...]
    p90: tuple[float | None, ...]
    standard: tuple[float | None, ...]


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


def _standard_minutes(step: StepFigures, nominal_day: timedelta) -> float | None:
    if step.standard_time is None:
        return None
    if step.working_days:
        return step.standard_time / timedelta(days=1) * nominal_day.total_seconds() / 60
    return step.standard_time.total_seconds() / 60


def chart_data(figures: MonthFigures) -> list[ChartData]:
    """The charts to draw: minutes for short steps, hours for long ones; steps with neither
    visits nor a standard are left out."""
    rows: dict[str, list[tuple[str, tuple[float | None, ...]]]] = {"menit": [], "jam": []}
    for s in figures.steps:
        values = (_minutes(s.median), _minutes(s.p90),
                  _standard_minutes(s, figures.nominal_day))
        present = [v for v in values if v is not None]
        if not present:
            continue
        unit = "menit" if max(present) <= MINUTES_CHART_MAX else "jam"
        scale = 1.0 if unit == "menit" else 60.0
        scaled = tuple(None if v is None else v / scale for v in values)
        rows[unit].append((f"{s.number}. {s.short_label}", scaled))
    return [
        ChartData(unit, tuple(name for name, _ in group),
                  *(tuple(v[i] for _, v in group) for i in range(3)))
        for unit, group in rows.items() if group
    ]


def _label(value: float | None) -> str:
    return "" if value is None else number_id(value)


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value / step <= 8:
            return float(step * (int(value / step) + 1))
    return value * 1.1


def bar_chart(data: ChartData, fonts: FontSet, width: float = CONTENT_WIDTH,
              height: float = 9.0 * cm) -> Drawing:
    drawing = Drawing(width, height)
    title = f"Waktu kerja per tahap (dalam {data.unit})"
    drawing.add(String(0, height - 12, title, fontName=fonts.bold, fontSize=10))
    drawing.add(String(0, height - 30, data.unit.capitalize(), fontName=fonts.regular,
                       fontSize=8))

    chart = VerticalBarChart()
    chart.x, chart.y = 35, 30
    # A bar group is at most ~80 pt wide, so a chart of one step does not fill the page.
    chart.width = min(width - 45, 20 + 80 * len(data.categories))
    chart.height = height - 75
    chart.data = [list(data.median), list(data.p90), list(data.standard)]
    chart.categoryAxis.categoryNames = list(data.categories)
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -4
    top = max((v for series in chart.data for v in series if v is not None), default=1.0)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(top)
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _label
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#D0D0D0")
    chart.groupSpacing = 8
    chart.barSpacing = 1
    for i, (_, colour) in enumerate(SERIES):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    chart.barLabelFormat = _label
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    drawing.add(chart)

    legend = Legend()
    legend.x, legend.y = width - 270, height - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.dx = legend.dy = 8
    legend.fontName = fonts.regular
    legend.fontSize = 8
    legend.colorNamePairs = [(colour, name) for name, colour in SERIES]
    drawing.add(legend)
    return drawing


# ---------------------------------------------------------------- document


def _footer(label: str, fonts: FontSet) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.drawString(MARGIN, 1.2 * cm, f"Laporan Kinerja Layanan Subdomain — {label}")
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 1.2 * cm, f"Halaman {doc.page}")
        canvas.restoreState()

    return draw


NOTES = (
    "Permohonan dihitung pada bulan diterimanya. Waktu dihitung dalam waktu kerja: jam kantor "
    "pada hari kerja, tanpa jam istirahat, akhir pekan dan hari libur. Setiap kali permohonan "
    "berada pada suatu tahap dihitung satu kali; permohonan yang dikembalikan menambah jumlahnya. "
    "P90: persentil ke-90 (metode peringkat terdekat). Waktu standar 1 hari kerja terpenuhi bila "
    "tahap selesai paling lambat pada jam yang sama pada hari kerja berikutnya. "
    f"Tanda {NO_DATA}: belum ada data."
)


def render_month_report(
    figures: MonthFigures,
    office_name: str,
    month_label: str | None = None,
    *,
    zone_label: str,
    fonts: FontSet | None = None,
) -> bytes:
    """The month's report as PDF bytes. ``month_label`` defaults to e.g. ``November 2026``;
    ``zone_label`` is what the office writes after a time (``WIB``, ``WITA``, ``UTC+9``)."""
    fonts = fonts or default_fonts()
    st = _Styles(fonts)
    label = month_label or f"{month_name_id(figures.month)} {figures.year}"
    story: list[Flowable] = [
        Paragraph(esc(office_name), st.subtitle),
        Spacer(1, 0.3 * cm),
        Paragraph(esc(TITLE), st.title),
        Paragraph(esc(f"Bulan {label}"), st.subtitle),
        Spacer(1, 0.4 * cm),
        Paragraph(esc("1. Ringkasan permohonan"), st.heading),
        _summary(figures, st),
    ]
    if figures.is_empty:
        story += [Spacer(1, 0.4 * cm), Paragraph(esc(EMPTY_LINE.format(month=label)), st.normal)]
    else:
        story += [
            Paragraph(esc("2. Waktu penyelesaian per tahap (Mutu Baku)"), st.heading),
            _steps_table(figures, st),
            Spacer(1, 0.15 * cm),
            Paragraph(esc(NOTES), st.note),
            Paragraph(esc("3. Kasus yang melebihi waktu standar"), st.heading),
            _slowest_table(figures, zone_label, st),
            PageBreak(),
            Paragraph(esc("4. Grafik waktu per tahap dibandingkan waktu standar"), st.heading),
        ]
        for data in chart_data(figures):
            story += [bar_chart(data, fonts), Spacer(1, 0.6 * cm)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"Laporan Kinerja Layanan Subdomain {label}",
        author=office_name, subject=f"Mutu Baku layanan subdomain, {label}",
        creator="subdomain-bot", producer="ReportLab", invariant=1, lang="id-ID",
    )
    footer = _footer(label, fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
