"""``BotApiEmulator``: an aiohttp server speaking the Telegram Bot API to a real bot."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from devtools.emulator.errors import (
    ApiError,
    bad_request,
    conflict,
    not_found,
    too_many_requests,
    unauthorized,
)
from devtools.emulator.methods import UPLOAD_LIMIT, Handler, MessageMethods
from devtools.emulator.model import ApiCall, TranscriptEntry
from devtools.emulator.params import Params
from devtools.emulator.people import SimGroup, SimUser, new_user
from devtools.emulator.ratelimit import FloodControl, RateLimits
from devtools.emulator.transcript import render
from devtools.emulator.world import DEFAULT_UPDATE_TYPES, World

_LOGGER = logging.getLogger(__name__)
_TOKEN_RE = re.compile(r"^\d+:[\w-]+$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_POLL = 50
_WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int | None
    description: str | None
    chat_id: int | None = None
    """Only calls addressed to this chat fail (None: any call of the method)."""
    drop: bool = False
    """Close the connection without an answer (a network error for the client)."""

    def matches(self, chat_id: object) -> bool:
        return self.chat_id is None or str(chat_id) == str(self.chat_id)

    def error(self) -> ApiError:
        if self.status == 429:
            return too_many_requests(self.retry_after or 1)
        if self.description:
            return ApiError(self.status, self.description)
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        return ApiError(self.status, f"{phrase}: injected by the emulator")


@dataclass
class Hold:
    """A call held unanswered (see `BotApiEmulator.hold`)."""

    method: str
    chat_id: int | None
    reached: asyncio.Event
    released: asyncio.Event
    params: dict[str, Any] | None = None
    """What the held call carried, once it arrived."""


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook."""

    at: float
    update_id: int
    status: int | None  # None: connection failed
    error: str | None = None


class BotApiEmulator:
    """A local Bot API server plus simulated people. Use ``async with`` or start()/stop()."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "subdomain_demo_bot",
        bot_name: str = "Layanan Subdomain",
        rate_limits: RateLimits | None = RateLimits(),  # noqa: B008 - frozen, immutable
        callback_max_age: float = 15.0,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0])
        bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.world = World(bot_user)
        self.calls: list[ApiCall] = []
        self.unknown_methods: list[str] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.webhook_retry_delay = webhook_retry_delay
        self.closing = False
        self._methods = MessageMethods(
            self.world,
            FloodControl(rate_limits) if rate_limits is not None else None,
            callback_max_age,
        )
        self._handlers: dict[str, Handler] = {
            **self._methods.table(),
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        }
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._slow: dict[str, float] = {}
        self._holds: list[Hold] = []
        self._poll_generation = 0
        self._stopped = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # -- configuration ---------------------------------------------------------------------
    @property
    def rate_limits(self) -> RateLimits | None:
        flood = self._methods.flood
        return None if flood is None else flood.limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        self._methods.flood = None if limits is None else FloodControl(limits)

    @property
    def callback_max_age(self) -> float:
        return self._methods.callback_max_age

    @callback_max_age.setter
    def callback_max_age(self, seconds: float) -> None:
        self._methods.callback_max_age = seconds

    @property
    def bot_username(self) -> str:
        return str(self.world.bot_user["username"])

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> BotApiEmulator:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="emulator-webhook")
        return self

    async def stop(self) -> None:
        """Wake pending long polls and waiters, then close the server (fast)."""
        self.closing = True
        self._stopped.set()
        self.world.wake_all()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- people ------------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        started: bool = True,
    ) -> SimUser:
        """A person with a private chat with the bot (chat id == user id). ``started=False``:
        she has never opened the bot, so the bot cannot write to her (403) until she writes.

        Asking again for the same id returns the same ``SimUser``."""
        known = self._users.get(user_id)
        if known is not None:
            return known
        info = new_user(user_id, first_name, username, last_name)
        self.world.add_user(info)
        if not started:
            self.world.not_started.add(user_id)
        person = self._users[user_id] = SimUser(self, info, phone)
        return person

    def group(self, chat_id: int, title: str) -> SimGroup:
        """A group the bot is in (ids starting with -100 are supergroups)."""
        known = self._groups.get(chat_id)
        if known is not None:
            return known
        self.world.add_group(chat_id, title)
        group = self._groups[chat_id] = SimGroup(self, chat_id, title)
        return group

    # -- observation -------------------------------------------------------------------------
    @property
    def transcript(self) -> list[TranscriptEntry]:
        return list(self.world.transcript)

    def transcript_text(self, tz: dt.tzinfo | None = None) -> str:
        return render(self.world.transcript, tz)

    def sent_count(self, method: str = "sendMessage", *, chat_id: int | None = None) -> int:
        """Successful calls of ``method`` (optionally to one chat)."""
        name = method.lower()
        return sum(
            1
            for call in self.calls
            if call.ok
            and call.method.lower() == name
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        )

    # -- fault injection ---------------------------------------------------------------------
    def inject(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        *,
        chat_id: int | None = None,
        drop: bool = False,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` ("*" = any) with ``status``; with
        ``chat_id`` only the calls addressed to that chat; with ``drop`` the connection is
        closed without an answer instead (what a network outage looks like to the client).
        Either way the call has no effect."""
        fault = _Fault(status, count, retry_after, description, chat_id, drop)
        self._faults.setdefault(method.lower(), []).append(fault)

    def slow(self, method: str, seconds: float) -> None:
        """Delay every call of ``method`` ("*" = any) by ``seconds`` (0 turns it off)."""
        if seconds > 0:
            self._slow[method.lower()] = seconds
        else:
            self._slow.pop(method.lower(), None)

    def hold(self, method: str = "*", chat_id: int | None = None) -> Hold:
        """Hold the next call of ``method`` ("*" = any) to ``chat_id`` (None = any chat):
        it is never answered and changes nothing; ``hold.reached`` is set when it arrives.
        A crash test kills the bot then, and releases the hold (``release``), so the bot died
        after doing its work and before its answer went out. A released call fails (502)."""
        held = Hold(method.lower(), chat_id, asyncio.Event(), asyncio.Event())
        self._holds.append(held)
        return held

    def release(self, held: Hold) -> None:
        if held in self._holds:
            self._holds.remove(held)
        held.released.set()

    async def _apply_hold(self, method: str, params: Params) -> None:
        chat = params.fields.get("chat_id")
        for held in self._holds:
            if held.method in (method, "*") and (
                    held.chat_id is None or str(held.chat_id) == str(chat)):
                self._holds.remove(held)
                held.params = params.summary()
                held.reached.set()
                released = asyncio.ensure_future(held.released.wait())
                stopped = asyncio.ensure_future(self._stopped.wait())
                await asyncio.wait((released, stopped), return_when=asyncio.FIRST_COMPLETED)
                for waiter in (released, stopped):
                    waiter.cancel()
                raise ApiError(502, "Bad Gateway: the call was held and dropped by the test")

    def clear_faults(self) -> None:
        self._faults.clear()
        self._slow.clear()

    async def _apply_faults(self, method: str, chat_id: object) -> _Fault | None:
        """Wait as `slow` asks; the fault this call meets (consumed), if any."""
        delay = self._slow.get(method, self._slow.get("*", 0.0))
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)
        for key in (method, "*"):
            faults = self._faults.get(key, [])
            fault = next((f for f in faults if f.matches(chat_id)), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.remove(fault)
                return fault
        return None

    # -- HTTP --------------------------------------------------------------------------------
    def _check_token(self, token: str) -> None:
        if token != self.token:
            raise unauthorized() if _TOKEN_RE.match(token) else not_found()

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = Params({}, {})
        try:
            self._check_token(request.match_info["token"])
            params = await Params.read(request)
            name = method.lower()
            await self._apply_hold(name, params)
            fault = await self._apply_faults(name, params.fields.get("chat_id"))
            if fault is not None and fault.drop:
                self._record(method, params, 0, None, "connection dropped by the emulator")
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)  # never reaches the client
            if fault is not None:
                raise fault.error()
            handler = self._handlers.get(name)
            if handler is None:
                self.unknown_methods.append(method)
                _LOGGER.warning("Bot API emulator: unknown method %s", method)
                raise not_found("Not Found: method not found")
            result = await handler(params)
        except ApiError as err:
            self._record(method, params, err.status, None, err.description)
            return web.json_response(err.payload(), status=err.status)
        except Exception as exc:  # an emulator bug: make it loud but keep the wire format
            _LOGGER.exception("Bot API emulator failed on %s", method)
            bug = ApiError(500, f"Internal Server Error: emulator bug: {exc!r}")
            self._record(method, params, bug.status, None, bug.description)
            return web.json_response(bug.payload(), status=bug.status)
        self._record(method, params, 200, result, None)
        return web.json_response({"ok": True, "result": result})

    def _record(
        self, method: str, params: Params, status: int, result: Any, error: str | None
    ) -> None:
        self.calls.append(ApiCall(time.time(), method, params.summary(), status, result, error))
        if error is not None and method.lower() != "getupdates":
            chat_id = params.fields.get("chat_id")
            try:
                chat = self.world.chat_name(int(chat_id)) if chat_id is not None else "-"
            except (TypeError, ValueError):
                chat = str(chat_id)
            self.world.log(chat, "bot->user", "error", f"{method} → {status} {error}")

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if token != self.token:
            err = unauthorized() if _TOKEN_RE.match(token) else not_found()
            return web.json_response(err.payload(), status=err.status)
        path = request.match_info["path"]
        for record in self.world.files.values():
            if record.file_path == path:
                return web.Response(
                    body=record.data,
                    content_type=record.mime_type or "application/octet-stream",
                )
        return web.json_response(not_found().payload(), status=404)

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(not_found().payload(), status=404)

    # -- updates: long polling -----------------------------------------------------------------
    def _set_allowed(self, params: Params) -> None:
        allowed = params.structured("allowed_updates")
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self.world.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES

    async def _get_updates(self, params: Params) -> Any:
        if self.webhook_url:
            raise conflict(_WEBHOOK_ACTIVE)
        offset = params.integer("offset")
        if offset:
            self.world.confirm(offset)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = min(max(params.integer("timeout") or 0, 0), _MAX_POLL)
        self._set_allowed(params)
        # A newer getUpdates terminates an older one, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self.world.changed.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.closing:
                return []
            if generation != self._poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; make sure that only one bot "
                    "instance is running"
                )
            if self.webhook_url:
                raise conflict(_WEBHOOK_ACTIVE)
            updates = self.world.deliverable(limit)
            if updates:
                return updates
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self.world.changed.wait(remaining)

    # -- updates: webhook ------------------------------------------------------------------------
    async def _set_webhook(self, params: Params) -> Any:
        url = params.text("url") or ""
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        self._set_allowed(params)
        self.webhook_url = url or None
        self.webhook_secret = secret if url else None
        self.world.changed.notify()
        return True

    async def _delete_webhook(self, params: Params) -> Any:
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        self.webhook_url = None
        self.webhook_secret = None
        self.world.changed.notify()
        return True

    async def _get_webhook_info(self, params: Params) -> Any:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
            "max_connections": 40,
            "allowed_updates": sorted(self.world.allowed_updates),
        }

    async def _webhook_loop(self) -> None:
        while not self.closing:
            url = self.webhook_url
            updates = self.world.deliverable(1) if url else []
            if not url or not updates:
                await self.world.changed.wait(1.0)
                continue
            update = updates[0]
            status, error = await self._post_update(url, update)
            self.webhook_deliveries.append(
                WebhookDelivery(time.time(), update["update_id"], status, error)
            )
            if status is not None and 200 <= status < 300:
                self.world.confirm(update["update_id"] + 1)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), self.webhook_retry_delay)

    async def _post_update(
        self, url: str, update: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        assert self._session is not None
        headers = {}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                return response.status, None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return None, repr(exc)
