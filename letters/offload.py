"""PDFs drawn in a short-lived child process, so that reportlab, its fonts and PIL (~17 MiB
resident once a letter or report is drawn) never load into the long-running bot.

`reply_letter_pdf`, `disposition_sheet_pdf` and `month_report_pdf` take what the renderers in
`letters.render` and `letters.report` take and return the same bytes; they block (call them
from a worker thread). One child (`python -c …`, this module's `serve`) draws one paper at a
time; it is started by the first call, kept while papers keep coming (the test suite draws
hundreds: one start, not one per letter), and ends `IDLE_SECONDS` after the last one, or
when the bot ends (its end of the pipe closes). A child that dies mid-way is replaced and the
paper asked again, once.

Requests and answers are pickles on the child's stdin and a private copy of its stdout (what
the renderers print goes to stderr): the job is a function of this module, named by
reference, so nothing of reportlab is imported to ask for it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from letters.figures import MonthFigures, ReportSigner
    from letters.model import DispositionSheet, OfficeIdentity, ReplyLetter, SignatureBox

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 60.0
"""A child with nothing to draw for this long ends (the next paper starts another, ~0.2 s)."""

_BOOT = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
         "from letters.offload import serve; serve()")


class ChildGone(RuntimeError):
    """The drawing child ended without an answer (twice in a row)."""


class Drawing:
    """The child process that draws, started when asked and ended when idle."""

    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._answers: IO[bytes] | None = None
        self._timer: threading.Timer | None = None
        self._calls = 0
        self._here = 0

    @contextlib.contextmanager
    def in_process(self) -> Iterator[None]:
        """Papers asked for meanwhile are drawn in this process: a one-shot command (the CLI)
        ends right after, and a child would only cost its start."""
        with self._lock:
            self._here += 1
        try:
            yield
        finally:
            with self._lock:
                self._here -= 1

    @property
    def here(self) -> bool:
        """Papers are drawn in this process now (`in_process`)."""
        return self._here > 0

    @property
    def pid(self) -> int | None:
        """The running child's process id (None: no child now)."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def call(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`job(*args, **kwargs)` in the child; its result, or its exception raised here."""
        if self.here:
            return job(*args, **kwargs)
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            try:
                try:
                    status, value = self._ask(job, args, kwargs)
                except (OSError, EOFError, pickle.UnpicklingError):
                    self._stop()  # the child died (killed, out of memory): once more, afresh
                    try:
                        status, value = self._ask(job, args, kwargs)
                    except (OSError, EOFError, pickle.UnpicklingError) as gone:
                        self._stop()
                        raise ChildGone(f"the drawing process ended: {gone!r}") from None
            finally:
                self._calls += 1
                self._arm()
        if status == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def _ask(self, job: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[str, Any]:
        request = pickle.dumps((job, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        proc = self._started()
        assert proc.stdin is not None and self._answers is not None
        proc.stdin.write(request)
        proc.stdin.flush()
        answer: tuple[str, Any] = pickle.load(self._answers)
        return answer

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._stop()
        read, write = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, json.dumps(sys.path), str(write)],
                stdin=subprocess.PIPE, pass_fds=(write,), close_fds=True)
        finally:
            os.close(write)
        self._answers = os.fdopen(read, "rb")
        return self._proc

    def _arm(self) -> None:
        calls = self._calls
        self._timer = threading.Timer(self.idle, self._retire, args=(calls,))
        self._timer.daemon = True
        self._timer.start()

    def _retire(self, calls: int) -> None:
        with self._lock:
            if self._calls == calls:  # nothing asked since this timer was set
                self._stop()

    def _stop(self) -> None:
        """End the child (its stdin closes: it returns from `serve`) and reap it."""
        proc, answers, self._proc, self._answers = self._proc, self._answers, None, None
        if proc is not None:
            with contextlib.suppress(OSError):
                assert proc.stdin is not None
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if answers is not None:
            answers.close()

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._stop()


DRAWING = Drawing()
atexit.register(DRAWING.close)


# --- the child ---------------------------------------------------------------------------------


def serve() -> None:
    """The child's loop: a job from stdin, its answer to the pipe named in argv, until stdin
    closes."""
    answers = os.fdopen(int(sys.argv[2]), "wb")
    requests = sys.stdin.buffer
    os.dup2(2, 1)  # what a renderer prints goes to stderr, never into the answers
    while True:
        try:
            job, args, kwargs = pickle.load(requests)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", job(*args, **kwargs))
        except Exception as exc:  # handed to the caller, raised there
            answer = ("error", exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle: its text
            data = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {answer[1]}")))
        answers.write(data)
        answers.flush()


# --- the jobs (run in the child) ---------------------------------------------------------------


def _reply_letter(letter: ReplyLetter,
                  office: OfficeIdentity) -> tuple[bytes, list[SignatureBox]]:
    from letters.render import render_reply_letter

    boxes: list[SignatureBox] = []
    return render_reply_letter(letter, office, signature_box=boxes), boxes


def _disposition_sheet(sheet: DispositionSheet, office: OfficeIdentity) -> bytes:
    from letters.render import render_disposition_sheet

    return render_disposition_sheet(sheet, office)


def _month_report(figures: MonthFigures, office_name: str, kwargs: dict[str, Any]) -> bytes:
    from letters.report import render_month_report

    return render_month_report(figures, office_name, **kwargs)


# --- what the bot calls ------------------------------------------------------------------------


def reply_letter_pdf(letter: ReplyLetter, office: OfficeIdentity, *,
                     signature_box: list[SignatureBox] | None = None) -> bytes:
    """`letters.render.render_reply_letter`, drawn in the child."""
    pdf, boxes = DRAWING.call(_reply_letter, letter, office)
    if signature_box is not None:
        signature_box.extend(boxes)
    return pdf


def disposition_sheet_pdf(sheet: DispositionSheet, office: OfficeIdentity) -> bytes:
    """`letters.render.render_disposition_sheet`, drawn in the child."""
    return DRAWING.call(_disposition_sheet, sheet, office)


def month_report_pdf(figures: MonthFigures, office_name: str, *, zone_label: str,
                     signers: tuple[ReportSigner, ...] = (), place: str = "") -> bytes:
    """`letters.report.render_month_report`, drawn in the child."""
    return DRAWING.call(_month_report, figures, office_name,
                        {"zone_label": zone_label, "signers": signers, "place": place})
