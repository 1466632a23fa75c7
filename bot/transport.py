"""python-telegram-bot's HTTP transport on aiohttp.

PTB sends through a `BaseRequest`; its default (`HTTPXRequest`) costs ~1 ms of CPU per Bot API
call on this machine and ~3 ms under load (httpcore's pool bookkeeping, anyio, h11, form
encoding), which made the bot's CPU, not the office's work, the limit on how many people it
serves at once. The same calls through aiohttp (already a dependency) cost ~0.2 ms (numbers in
bench/README.md). Everything above the transport (the `Bot` methods, their parameters, the
handling of the Bot API's answers and errors) stays PTB's.

The proxy named in the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, as httpx honours
them) is looked up once per host, not by aiohttp's `trust_env`, which reads the environment and
`~/.netrc` in a worker thread on every call: two thread hops per Bot API call, which under load
cost more CPU than the call itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to `pool_size` connections. Timeouts mean what they mean
    for `HTTPXRequest` (`read`: the wait for the answer; `connect`: the TCP connect;
    `pool`: the wait for a free connection), except that aiohttp has no write timeout: an
    upload is bounded by `media_write_timeout` over the whole request instead."""

    def __init__(self, pool_size: int = 8, *, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar())  # the Bot API sets no cookies

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body: aiohttp.FormData | bytes | None = None
        headers = None
        files = request_data is not None and request_data.contains_files
        if request_data is not None:
            body, headers = (_form(request_data), None) if files else (
                request_data.json_payload, JSON)
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            total=_given(write_timeout, self._media) if files else None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)
        proxy = self._proxy_for(url)
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout, proxy=proxy) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are asyncio's TimeoutError
            raise TimedOut from err
        except (aiohttp.ClientError, OSError) as err:
            # The URL holds the token: keep it out of the message (it reaches logs and the
            # outbox's last error).
            said = str(err).replace(url, "<Bot API URL>")
            raise NetworkError(f"aiohttp.{type(err).__name__}: {said}") from err

    def _proxy_for(self, url: str) -> str | None:
        """The environment's proxy for the URL's scheme and host (remembered per host)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            self._proxies[key] = _env_proxy(*key)
        return self._proxies[key]


def _env_proxy(scheme: str, host: str) -> str | None:
    """The environment's proxy for `scheme` (credentials in its URL are sent as
    Proxy-Authorization), or None when none is set or `NO_PROXY` exempts `host`."""
    proxy = getproxies().get(scheme)
    return None if not proxy or proxy_bypass(host) else proxy


def _given(value: object, default: float | None) -> float | None:
    """A timeout passed to a call (a number, or None for no limit), else the default (PTB
    passes its `DEFAULT_NONE` marker when the call names none)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def _form(request_data: RequestData) -> aiohttp.FormData:
    """A multipart body: the plain parameters as fields (JSON-encoded where not strings, as
    `RequestData.json_parameters` gives them), the files as file parts."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
