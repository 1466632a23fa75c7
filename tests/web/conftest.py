"""A test office with real letters, a register and a month of figures, its public pages served
on loopback, and a headless Chromium to open them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from bot.service import ActionInput, Office
from bot.workflow import Action
from devtools.browser import BrowserMissing, chromium
from storage.models import IssuedLetter
from tests.support.office import HEAD, Clock, person, seed_people, submit
from tests.support.pki import NOW, CertAuthority
from tests.support.public_site import LiveSite

SECRET = "sandi-kadis-123"
ZONE_TEXT = """$ORIGIN balangankab.go.id.
$TTL 300
@          IN SOA ns1 hostmaster 1 3600 600 86400 300
@          IN NS  ns1
ns1        IN A   127.0.0.1
dinkes     IN A   10.0.0.5
disdik     IN A   10.0.0.6
pariwisata IN CNAME dinkes
"""


def signing_env(folder: Path, ca: CertAuthority) -> dict[str, str]:
    """PAdES signing with a throwaway CA, and its root as the trust root."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("Drs. H. Rahmadi, M.Si"), SECRET))
    (folder / "root.pem").write_bytes(ca.pem)
    return {"SIGNING_PROVIDER": "pades", "SIGNING_PKCS12_PATH": str(folder / "kadis.p12"),
            "SIGNING_PKCS12_PASSPHRASE": SECRET,
            "SIGNING_TRUST_ROOTS": str(folder / "root.pem")}


async def declined(office: Office, clock: Clock, label: str, minutes: float) -> IssuedLetter:
    """A request filed now and declined `minutes` later: its letter, signed and registered."""
    request = await submit(office, label)
    clock.advance(minutes=minutes)
    await office.act(await person(office, HEAD), request.id, ActionInput(
        Action.DECLINE, request.version, note="Tidak diperuntukkan bagi Perangkat Daerah."))
    return (await office.letters(request))[-1]


def another(code: str) -> str:
    """A code one character away from `code` (never `code` itself)."""
    return code[:-1] + ("B" if code[-1] == "A" else "A")


@dataclass
class World:
    site: LiveSite
    clock: Clock
    env: dict[str, str]
    """The office's settings (environment form), e.g. for the command line."""
    valid: IssuedLetter
    other: IssuedLetter
    last_month: IssuedLetter


async def _populate(office: Office, clock: Clock) -> tuple[IssuedLetter, ...]:
    clock.now = NOW - timedelta(days=13)  # 20 November, a Friday morning (WITA)
    await seed_people(office.store, clock())
    last_month = await declined(office, clock, "lalu", 20)
    clock.now = NOW
    valid = await declined(office, clock, "layanan", 10)
    other = await declined(office, clock, "lainnya", 45)
    zone = office.settings.data_dir / "zona.txt"
    zone.parent.mkdir(parents=True, exist_ok=True)
    zone.write_text(ZONE_TEXT)
    await office.register.import_zone(zone)
    await office.add_agency("disdik", "Dinas Pendidikan")
    await office.register.assign("dinkes", "dinkes", admin_contact="Ahmad 081200000000",
                                 tech_contact="Budi 081300000000", purpose="Portal kesehatan")
    await office.register.assign("disdik", "disdik")
    return valid, other, last_month


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("web")
    clock = Clock(NOW)
    env = {**signing_env(tmp / "keys", CertAuthority()), "DATA_DIR": str(tmp / "data"),
           "WEB_RATE_PER_MINUTE": "10000", "WEB_UPLOAD_LIMIT_MB": "1"}
    site = LiveSite(tmp / "bot.sqlite3", clock, **env).start()
    try:
        valid, other, last_month = site.with_office(lambda office: _populate(office, clock))
        yield World(site, clock, {**site.env, "DATABASE_PATH": str(tmp / "bot.sqlite3")},
                    valid, other, last_month)
    finally:
        site.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    try:
        driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    except BrowserMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    try:
        yield driver
    finally:
        driver.quit()
