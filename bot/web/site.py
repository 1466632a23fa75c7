"""The public site on tornado (already in the dependency tree: python-telegram-bot's webhook
server runs on it, and `bot.webhook` uses it): routes, handlers, start and stop.

Every response carries the security headers (`bot.web.security`); every request counts
against its address's allowance (429 with a page beyond it; the style sheet and the emblem
are not counted); an error is a short Indonesian page and one log line, never a traceback in
the browser. The access log keeps the method, the path (a verification code replaced by
``<kode>``), the status, the time taken and the client's network (/24 or /48), nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from asyncio import Future
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.httputil
import tornado.routing
import tornado.web

from bot.public import CODE_PATTERN
from bot.web import pages
from bot.web.security import (
    HEADERS,
    RateLimiter,
    client_address,
    client_key,
    log_address,
    log_path,
)

if TYPE_CHECKING:
    from bot.service import Office

log = logging.getLogger("bot.web")
access_log = logging.getLogger("bot.web.access")

PDF_MAGIC = b"%PDF-"
FORM_OVERHEAD = 64 * 1024
"""Room for the multipart form's own lines around the file."""
DISCARD_LIMIT = 64 * 1024 * 1024
"""An upload larger than the limit is read and dropped up to this size, so that the browser
gets the page that says so; beyond it the connection is closed."""
CHECKS_AT_ONCE = 2
"""Signature checks are CPU work (in a thread): at most this many at once."""

MESSAGES = {
    400: "Permintaan tidak dapat diproses.",
    404: "Halaman tidak ditemukan.",
    405: "Permintaan tidak dapat diproses.",
    413: "Berkas terlalu besar.",
    429: "Terlalu banyak permintaan dari alamat Bapak/Ibu. Mohon tunggu sebentar lalu coba "
         "kembali.",
    500: "Maaf, terjadi kesalahan pada sistem. Mohon coba kembali beberapa saat lagi.",
}


class Site:
    """The pages of one office, served from its `Office`."""

    def __init__(self, office: Office, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.office = office
        self.web = office.settings.web
        self.limiter = RateLimiter(self.web.per_minute, clock)
        settings = office.settings
        self.env = pages.environment(settings.timezone, settings.zone_label)
        self.env.globals["batas_mb"] = self.web.upload_limit // 2**20
        self.kop = office.public.kop()
        self.checks = asyncio.Semaphore(CHECKS_AT_ONCE)
        self.css = (pages.STATIC / "site.css").read_bytes()
        self._server: tornado.httpserver.HTTPServer | None = None

    def routes(self) -> list[tornado.routing.Rule]:
        args = {"site": self}
        return [
            tornado.web.url(r"/", Home, args),
            tornado.web.url(r"/verifikasi/?", Lookup, args),
            tornado.web.url(r"/verifikasi/([^/]+)", Verification, args),
            tornado.web.url(r"/subdomain/?", Subdomains, args),
            tornado.web.url(r"/mutu-baku/?", Figures, args),
            tornado.web.url(r"/static/site.css", Style, args),
            tornado.web.url(r"/lambang", Emblem, args),
            tornado.web.url(r"/favicon.ico", Emblem, args),
            tornado.web.url(r"/robots.txt", Robots, args),
        ]

    def application_settings(self) -> dict[str, Any]:
        """For a tornado Application that serves these routes (alone or beside the webhook)."""
        return {"default_handler_class": Missing, "default_handler_args": {"site": self},
                "log_function": _no_log, "compress_response": False, "serve_traceback": False}

    def mount(self, app: tornado.web.Application) -> None:
        """Serve the pages from `app` as well (the webhook's server, on the same port)."""
        app.add_handlers(r".*", self.routes())
        app.settings.update({k: v for k, v in self.application_settings().items()
                             if k.startswith("default_handler")})
        log.info("public pages on the webhook's server")

    def start(self, sock: socket.socket) -> None:
        app = tornado.web.Application(self.routes(), **self.application_settings())
        # Bodies are for the upload form only (its handler raises the limit for itself); any
        # other request with a body larger than a form's lines is cut off unread.
        self._server = tornado.httpserver.HTTPServer(
            app, max_body_size=FORM_OVERHEAD, idle_connection_timeout=60, body_timeout=120)
        self._server.add_sockets([sock])
        host, port = sock.getsockname()[:2]
        log.info("public pages on http://%s:%d/", host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def _no_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado's own access log shows whole URLs and addresses; `Page.finish` logs."""


class Page(tornado.web.RequestHandler):
    counted = True
    """Counts against the client's allowance."""

    def initialize(self, site: Site) -> None:
        self.site = site
        self.started = time.monotonic()
        self.client = client_address(self.request.remote_ip or "",
                                     self.request.headers.get("X-Forwarded-For"),
                                     site.web.trusted_proxies)

    def set_default_headers(self) -> None:
        for name, value in HEADERS.items():
            self.set_header(name, value)
        self.clear_header("Server")  # no version to look up

    def prepare(self) -> None:
        key = client_key(self.client)
        if self.counted and not self.site.limiter.allow(key):
            self.set_header("Retry-After", str(self.site.limiter.retry_after(key)))
            self.page("pesan.html", 429, judul="Terlalu banyak permintaan",
                      pesan=MESSAGES[429])

    def page(self, template: str, status: int = 200, **values: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(pages.render(self.site.env, template, kop=self.site.kop,
                                 lambang=self.site.kop.emblem is not None, **values))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        for name, value in HEADERS.items():  # send_error cleared them
            self.set_header(name, value)
        message = MESSAGES.get(status_code, MESSAGES[500 if status_code >= 500 else 400])
        self.page("pesan.html", status_code, judul="Kesalahan" if status_code >= 500
                  else "Tidak dapat diproses", pesan=message)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return
        log.error("web: %s %s failed", self.request.method, log_path(self.request.path),
                  exc_info=(typ, value, tb))

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> Future[None]:
        if not self._finished:  # logged before the answer leaves: the log is never behind it
            self._log_access()
        return super().finish(chunk)

    def _log_access(self) -> None:
        access_log.info("%s %s %d %.0fms %s", self.request.method, log_path(self.request.path),
                        self.get_status(), (time.monotonic() - self.started) * 1000,
                        log_address(self.client))


class Missing(Page):
    def prepare(self) -> None:
        super().prepare()
        if not self._finished:
            self.page("pesan.html", 404, judul="Tidak ditemukan", pesan=MESSAGES[404])


class Home(Page):
    async def get(self) -> None:
        self.page("beranda.html")


class Lookup(Page):
    """The form on the home page: the code typed from the letter."""

    async def get(self) -> None:
        code = self.get_query_argument("kode", "").strip().upper()
        if not CODE_PATTERN.match(code):
            self.page("tidak_ditemukan.html", 404)
            return
        self.redirect(f"/verifikasi/{code}", status=303)


@tornado.web.stream_request_body
class Verification(Page):
    """A letter's page (what its QR code opens) and the check of an uploaded PDF."""

    def prepare(self) -> None:
        super().prepare()
        self.body = bytearray()
        self.too_large = False
        if self._finished or self.request.method != "POST":
            return
        # Past the server's own limit (the webhook's, when the site shares its server): the
        # body is read here, and dropped beyond the upload limit.
        self.request.connection.set_max_body_size(DISCARD_LIMIT)  # type: ignore[union-attr]
        limit = self.site.web.upload_limit + FORM_OVERHEAD
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            self.too_large = True

    def data_received(self, chunk: bytes) -> None:
        if self.too_large:
            return
        self.body.extend(chunk)
        if len(self.body) > self.site.web.upload_limit + FORM_OVERHEAD:
            self.too_large = True
            self.body = bytearray()

    async def get(self, code: str) -> None:
        letter = await self.site.office.public.letter(code)
        self._private()
        if letter is None:
            self.page("tidak_ditemukan.html", 404)
            return
        self.page("verifikasi.html", surat=letter, hasil=None, galat=None)

    async def post(self, code: str) -> None:
        self._private()
        public = self.site.office.public
        letter = await public.letter(code)
        if letter is None:
            self.page("tidak_ditemukan.html", 404)
            return
        limit_mb = self.site.web.upload_limit // 2**20
        if self.too_large:
            self.page("verifikasi.html", 413, surat=letter, hasil=None,
                      galat=f"Berkas terlalu besar. Ukuran berkas paling besar {limit_mb} MB.")
            return
        pdf = self._uploaded()
        if pdf is None:
            self.page("verifikasi.html", 400, surat=letter, hasil=None,
                      galat="Mohon pilih berkas PDF surat yang akan diperiksa.")
            return
        if not pdf.startswith(PDF_MAGIC):
            self.page("verifikasi.html", 415, surat=letter, hasil=None,
                      galat="Berkas yang diunggah bukan PDF. Mohon unggah berkas surat dalam "
                            "format PDF.")
            return
        async with self.site.checks:
            verdict = await public.check_file(code, pdf)
        self.page("verifikasi.html", surat=letter, hasil=verdict, galat=None)

    def _uploaded(self) -> bytes | None:
        arguments: dict[str, list[bytes]] = {}
        files: dict[str, list[tornado.httputil.HTTPFile]] = {}
        tornado.httputil.parse_body_arguments(
            self.request.headers.get("Content-Type", ""), bytes(self.body), arguments, files)
        found = files.get("berkas") or []
        return found[0].body if found and found[0].body else None

    def _private(self) -> None:
        """The page holds the code: never cached on the way, never indexed."""
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Robots-Tag", "noindex, nofollow")


class Subdomains(Page):
    async def get(self) -> None:
        names = await self.site.office.public.official_names()
        self.page("subdomain.html", nama=names, induk=self.site.office.settings.parent_domain,
                  per=self.site.office.public.today())


class Figures(Page):
    async def get(self) -> None:
        public = self.site.office.public
        this, last = await public.recent_months()
        self.page("mutu_baku.html", bulan_ini=this, bulan_lalu=last, per=public.today())


class Style(Page):
    counted = False

    async def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=UTF-8")
        self.set_header("Cache-Control", "public, max-age=86400")
        self.finish(self.site.css)


class Emblem(Page):
    counted = False

    async def get(self) -> None:
        path = self.site.kop.emblem
        if path is None:  # no emblem set: nothing to show (a browser asks for the icon)
            self.set_status(204 if self.request.path == "/favicon.ico" else 404)
            self.finish()
            return
        data = await asyncio.to_thread(path.read_bytes)
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        self.set_header("Content-Type", kind)
        self.set_header("Cache-Control", "public, max-age=86400")
        self.finish(data)


class Robots(Page):
    counted = False

    async def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish("User-agent: *\nDisallow: /verifikasi/\n")

