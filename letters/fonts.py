"""The letters' typeface: Liberation Sans (metric-compatible with Arial), embedded in every PDF.

Offices write their letters in Arial 12 pt; reportlab's built-in Helvetica is never embedded, so
a viewer substitutes whatever it has and the spacing changes. Liberation Sans comes from the
Debian package ``fonts-liberation2`` (``scripts/setup.sh`` installs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
"""Where Debian puts Liberation Sans (``fonts-liberation2``, older ``fonts-liberation``)."""
FAMILY = "LiberationSans"
FILES = {
    "regular": "LiberationSans-Regular.ttf",
    "bold": "LiberationSans-Bold.ttf",
    "italic": "LiberationSans-Italic.ttf",
    "bold_italic": "LiberationSans-BoldItalic.ttf",
}


class FontMissing(RuntimeError):
    """The TrueType files are not installed; the message says how to install them."""


@dataclass(frozen=True)
class FontSet:
    """Registered font names of the four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str

    @classmethod
    def from_ttf(
        cls,
        family: str,
        regular: Path,
        bold: Path | None = None,
        italic: Path | None = None,
        bold_italic: Path | None = None,
    ) -> FontSet:
        """Register TrueType files under ``family`` (embedded as subsets in each PDF);
        missing faces fall back to the regular one."""
        from reportlab.pdfbase import pdfmetrics  # lazily: font_dir() checks without reportlab
        from reportlab.pdfbase.ttfonts import TTFont

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


def font_dir(dirs: tuple[Path, ...] = FONT_DIRS) -> Path:
    """The first directory holding all four Liberation Sans faces, or FontMissing."""
    for folder in dirs:
        if all((folder / name).is_file() for name in FILES.values()):
            return folder
    raise FontMissing(
        "Liberation Sans is not installed (looked for LiberationSans-Regular.ttf in "
        f"{', '.join(str(d) for d in dirs)}); install the Debian package fonts-liberation2 "
        "(scripts/setup.sh does: apt-get install fonts-liberation2)"
    )


_DEFAULT: FontSet | None = None


def default_fonts() -> FontSet:
    """Liberation Sans, registered once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        folder = font_dir()
        _DEFAULT = FontSet.from_ttf(FAMILY, *(folder / FILES[face] for face in
                                              ("regular", "bold", "italic", "bold_italic")))
    return _DEFAULT
