"""A report table cell remembers its last wrap: wrapping again at that width gives exactly
what a plain paragraph gives, and another width is wrapped anew."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from letters.fonts import default_fonts
from letters.report import _Cell, _Styles

TEXT = "SD-2026-0042\nDinas Kesehatan dan Keluarga Berencana Kabupaten, bidang pelayanan"


def test_a_cell_wraps_as_a_paragraph_at_every_width() -> None:
    style = _Styles(default_fonts()).cell
    cell, plain = _Cell(TEXT, style), Paragraph(TEXT, style)
    for width in (90.0, 90.0, 40.0, 90.0, 200.0, 200.0, 40.0):
        assert cell.wrap(width, 1000.0) == plain.wrap(width, 1000.0)
        assert (cell.width, cell.height) == (plain.width, plain.height)
        assert cell.blPara.kind == plain.blPara.kind == 0  # plain text: (space, words) lines
        assert cell.blPara.lines == plain.blPara.lines
        assert len(cell.blPara.lines) > 1
