"""The watch over many names: each name's DNS, then its web target over HTTP and HTTPS (the
record's address, the name as Host and TLS server name), its certificate and its home page.

Bounded: at most `concurrency` names at once, each within `WatchConfig.name_budget`, every
exchange within `timeout`, every page read up to `body_limit`. A name that overruns gets a
`probe_timeout` problem and the watch goes on. The reports go to the caller in batches, in the
labels' order, so a register of tens of thousands of names holds a few batches of them at most.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from cryptography import x509

from watch.config import WatchConfig
from watch.dnsview import Problem, dns_view
from watch.http import Fetched, FetchError, fetch, insecure_context

REDIRECTS = (301, 302, 303, 307, 308)
SNIPPET = 60


@dataclass
class Web:
    """One scheme's outcome: the final status line (or why there is none)."""

    shown: str = "-"
    fetched: Fetched | None = None


@dataclass(slots=True)  # one per name: thousands may be alive in a batch
class NameReport:
    label: str
    fqdn: str
    dns: str = "ok"
    address: str | None = None
    http: str = "-"
    https: str = "-"
    cert_days: int | None = None
    probed: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, detail: str, evidence: str) -> None:
        if all(p.kind != kind for p in self.problems):
            self.problems.append(Problem(kind, detail, evidence))


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


Settle = Callable[[list[NameReport], bool], Awaitable[None]]
"""Takes a batch of reports (in the labels' order) and whether it is the run's last one."""


async def watch_in_batches(labels: Iterable[str] | AsyncIterable[str], cfg: WatchConfig,
                           settle: Settle, *, batch: int, clock: Clock = _utc_now) -> int:
    """Probe every label (relative to the zone) with `cfg.concurrency` workers and hand the
    reports to `settle` in the labels' order, `batch` at a time, then the rest (maybe none)
    as the last batch. Returns how many names were probed.

    The workers take the labels in order, so the waiting names cost nothing (a task per name
    held ~3 KiB each while it waited), and a worker takes a label only while fewer than
    2 × `batch` + `cfg.concurrency` names lie between it and the first one not yet settled:
    that many reports at most are alive, however long the register, even behind one slow
    name. One batch settles at a time; a failing `settle` stops the run (the batches settled
    before stay settled)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    verify = ssl.create_default_context(cafile=str(cfg.ca_file) if cfg.ca_file else None)
    insecure = insecure_context()
    source = _labels(labels)
    window = 2 * batch + cfg.concurrency
    taking, settling, moved = asyncio.Lock(), asyncio.Lock(), asyncio.Condition()
    done: dict[int, NameReport] = {}  # probed, waiting for an earlier name to finish
    ready: list[NameReport] = []  # in order, not settled yet
    taken = cursor = settled = 0  # labels taken; reports moved to `ready`; reports settled

    def has_room(index: int) -> bool:
        return index < settled + window

    async def worker() -> None:
        nonlocal taken, cursor, settled
        while True:
            async with taking:  # one shared source: each label goes to one worker, in order
                label = await anext(source, None)
                if label is None:
                    return
                index, taken = taken, taken + 1
            async with moved:
                await moved.wait_for(partial(has_room, index))
            done[index] = await probe_name(label, cfg, verify=verify, insecure=insecure,
                                           clock=clock)
            while cursor in done:
                ready.append(done.pop(cursor))
                cursor += 1
            if len(ready) < batch:
                continue
            async with settling:
                while len(ready) >= batch:
                    chunk = ready[:batch]
                    del ready[:batch]
                    await settle(chunk, False)
                    settled += len(chunk)
                    async with moved:
                        moved.notify_all()

    workers = [asyncio.ensure_future(worker()) for _ in range(cfg.concurrency)]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:  # one failed (or the watch was cancelled): stop the others
            task.cancel()
    assert not done and cursor == taken
    await settle(ready, True)
    return taken


async def _labels(labels: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(labels, AsyncIterable):
        async for label in labels:
            yield label
    else:
        for label in labels:
            yield label


async def watch_names(labels: Sequence[str], cfg: WatchConfig, *,
                      clock: Clock = _utc_now) -> list[NameReport]:
    """Probe every label and return all the reports, in the labels' order (a name checked by
    hand, the CLI's table)."""
    reports: list[NameReport] = []

    async def keep(chunk: list[NameReport], _last: bool) -> None:
        reports.extend(chunk)

    await watch_in_batches(labels, cfg, keep, batch=max(1, len(labels)), clock=clock)
    return reports


async def probe_name(label: str, cfg: WatchConfig, *, verify: ssl.SSLContext,
                     insecure: ssl.SSLContext, clock: Clock = _utc_now) -> NameReport:
    fqdn = f"{label}.{cfg.zone}" if label not in ("", "@") else cfg.zone
    report = NameReport(label, fqdn)
    try:
        async with asyncio.timeout(cfg.name_budget):
            await _probe(report, cfg, verify, insecure, clock)
    except TimeoutError:
        report.add("probe_timeout", f"the checks took longer than {cfg.name_budget:g} s",
                   f"http={report.http} https={report.https}")
    return report


async def _probe(report: NameReport, cfg: WatchConfig, verify: ssl.SSLContext,
                 insecure: ssl.SSLContext, clock: Clock) -> None:
    view = await dns_view(report.fqdn, cfg)
    report.dns = view.state if not view.cname else f"{view.state} (CNAME {view.cname})"
    report.problems.extend(view.problems)
    report.notes.extend(view.notes)
    if not view.addresses:
        return
    allowed = [a for a in view.addresses if cfg.allows(a)]
    if not allowed:
        report.notes.append(f"not probed: {', '.join(view.addresses)} is outside "
                            "WATCH_ALLOWED_NETWORKS")
        report.http = report.https = "not probed"
        return
    report.address = allowed[0]
    report.probed = True
    http, https = await asyncio.gather(
        _visit(report, cfg, "http", None, clock),
        _tls_visit(report, cfg, verify, insecure, clock))
    report.http, report.https = http.shown, https.shown
    pages = [(scheme, web.fetched) for scheme, web in (("https", https), ("http", http))
             if web.fetched is not None]
    for scheme, page in pages:
        matched = _signs(page.body, cfg.signs)
        if matched:
            report.add("defacement", "the home page shows: " + ", ".join(matched),
                       f"{scheme}://{report.fqdn}/ {page.status_line}: "
                       + _snippet(page.body, matched[0]))
            break


async def _tls_visit(report: NameReport, cfg: WatchConfig, verify: ssl.SSLContext,
                     insecure: ssl.SSLContext, clock: Clock) -> Web:
    try:
        web = await _visit(report, cfg, "https", verify, clock)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or str(exc)
        web = await _visit(report, cfg, "https", insecure, clock)  # read the cert and page
        days = report.cert_days
        report.add("tls_invalid", f"the certificate is not valid: {reason}",
                   f"{report.fqdn} at {report.address}:{cfg.https_port}: {reason}"
                   + (f"; {days} day(s) left" if days is not None else ""))
        return web
    days = report.cert_days
    if days is not None and days < cfg.cert_warn_days and web.fetched is not None:
        report.add("tls_expiring", f"the certificate expires in {days} day(s)",
                   f"{report.fqdn}: notAfter in {days} day(s)")
    return web


async def _visit(report: NameReport, cfg: WatchConfig, scheme: str,
                 tls: ssl.SSLContext | None, clock: Clock) -> Web:
    """GET / and follow redirects that stay on this name (at most `max_redirects`)."""
    assert report.address is not None
    path, seen = "/", []
    for _hop in range(cfg.max_redirects + 1):
        context = tls if scheme == "https" else None
        if scheme == "https" and context is None:
            context = insecure_context()
        port = cfg.https_port if scheme == "https" else cfg.http_port
        url = f"{scheme}://{report.fqdn}{path}"
        seen.append(url)
        try:
            page = await fetch(report.address, port, report.fqdn, path, tls=context,
                               timeout=cfg.timeout, body_limit=cfg.body_limit,
                               header_limit=cfg.header_limit, user_agent=cfg.user_agent)
        except FetchError as failed:
            kind = f"{scheme}_down"
            if scheme == report_scheme(tls):
                report.add(kind, f"{scheme.upper()} does not answer: {failed}",
                           f"{url} at {report.address}:{port}: {failed}")
            return Web(f"down: {failed}")
        if page.cert_der is not None and report.cert_days is None:
            report.cert_days = _days_left(page.cert_der, clock())
        if page.status in REDIRECTS and page.headers.get("location"):
            target = urlsplit(page.headers["location"])
            host = (target.hostname or report.fqdn).lower().rstrip(".")
            if host != report.fqdn or (target.scheme or scheme) not in ("http", "https"):
                return Web(f"{page.status} → {page.headers['location'][:80]}", page)
            scheme = target.scheme or scheme
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            continue
        if not page.complete:
            report.add(f"{report_scheme(tls)}_slow",
                       f"the page did not finish within {cfg.timeout:g} s",
                       f"{url}: {page.status_line}, {len(page.body)} bytes read, never ended")
        shown = str(page.status)
        if page.truncated:
            shown += f" (cut at {cfg.body_limit // 1024} KiB)"
        return Web(shown, page)
    report.add("redirect_loop", f"more than {cfg.max_redirects} redirects",
               " → ".join(seen[-4:]))
    return Web("redirect loop")


def report_scheme(tls: ssl.SSLContext | None) -> str:
    """The probe a problem belongs to: the HTTPS probe may cross to http:// by a redirect, and
    what goes wrong there is still the HTTPS probe's finding."""
    return "http" if tls is None else "https"


def _days_left(der: bytes, now: datetime) -> int | None:
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    return (cert.not_valid_after_utc - now).days


def _text(body: bytes) -> str:
    return re.sub(r"\s+", " ", body.decode("utf-8", "replace").lower())


def _signs(body: bytes, signs: Sequence[str]) -> list[str]:
    text = _text(body)
    return [s for s in signs if s in text]


def _snippet(body: bytes, sign: str) -> str:
    text = _text(body)
    at = text.find(sign)
    piece = text[max(0, at - SNIPPET): at + len(sign) + SNIPPET]
    return "…" + "".join(c if c.isprintable() else " " for c in piece).strip() + "…"
