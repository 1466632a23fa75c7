"""Screenshots of the public pages at a phone's size, from a demo database.

``python -m devtools.web_screenshots [OUTDIR]`` (default ``docs``) builds the demo office
(`devtools/demo-office.env`, the stand-in emblem, PAdES with a throwaway test CA) on a
temporary SQLite file: a few requests declined this month and last month (real letters,
signed and registered), a register imported from a zone file with its owners; serves the
public pages on loopback and photographs them in the headless Chromium of `devtools.browser`:
``web-verifikasi.png`` (a letter's page after its genuine PDF was uploaded),
``web-subdomain.png`` and ``web-mutu-baku.png``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.service import ActionInput, Office
from bot.settings import Settings
from bot.web.site import Site
from bot.webhook import bind
from bot.workflow import Action, Role
from devtools.browser import PHONE, chromium
from devtools.profile import profile_env
from devtools.testca import NOW, CertAuthority
from storage.models import IssuedLetter, NewRequest
from storage.store import Store

EMBLEM = Path(__file__).with_name("sample-emblem.png")
HEAD_ID, REQUESTER_ID = 1001, 2001
AGENCIES = (("dinkes", "Dinas Kesehatan"), ("disdik", "Dinas Pendidikan"),
            ("bappeda", "Badan Perencanaan Pembangunan Daerah"),
            ("dpmptsp", "Dinas Penanaman Modal dan PTSP"))
ZONE = """$TTL 300
@          IN SOA ns1 hostmaster 1 3600 600 86400 300
@          IN NS  ns1
ns1        IN A   192.0.2.1
dinkes     IN A   192.0.2.10
disdik     IN A   192.0.2.11
bappeda    IN A   192.0.2.12
perizinan  IN CNAME dinkes
sipd       IN A   192.0.2.13
"""
OWNERS = (("dinkes", "dinkes"), ("disdik", "disdik"), ("bappeda", "bappeda"),
          ("perizinan", "dpmptsp"))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def settings_for(folder: Path, port: int) -> Settings:
    ca = CertAuthority()
    keys = folder / "keys"
    keys.mkdir(parents=True)
    (keys / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("H. AHMAD RIDUAN, S.Kom., M.M."),
                                               "contoh"))
    (keys / "root.pem").write_bytes(ca.pem)
    env = profile_env()
    return Settings.from_mapping({
        **env, "DATABASE_PATH": str(folder / "demo.sqlite3"), "DATA_DIR": str(folder / "data"),
        "OFFICE_EMBLEM_PATH": str(EMBLEM), "WEB_LISTEN": f"127.0.0.1:{port}",
        "LETTER_VERIFY_URL": f"https://layanan.{env['PARENT_DOMAIN']}/verifikasi",
        "SIGNING_PROVIDER": "pades", "SIGNING_PKCS12_PATH": str(keys / "kadis.p12"),
        "SIGNING_PKCS12_PASSPHRASE": "contoh", "SIGNING_TRUST_ROOTS": str(keys / "root.pem"),
        "WATCH_TIME": "off"})


async def populate(office: Office, clock: Clock) -> IssuedLetter:
    """The demo's requests, letters and register; returns a letter of this month."""
    store = office.store
    clock.now = NOW - timedelta(days=20)
    await store.set_position(Role.KEPALA_DINAS, HEAD_ID, "H. AHMAD RIDUAN, S.Kom., M.M.",
                             now=clock(), nip="197501012000031004", rank="Pembina Tingkat I")
    for code, name in AGENCIES:
        await store.add_agency(code, name, f"Kepala {name}")
    await store.add_agency_contact("dinkes", REQUESTER_ID, "Petugas Dinkes", now=clock())
    head = await store.person_by_telegram(HEAD_ID)
    requester = await store.person_by_telegram(REQUESTER_ID)
    agency = await store.agency_by_code("dinkes")
    assert head is not None and requester is not None
    letters = []
    for days_ago, label, minutes in ((20, "lama", 12), (14, "arsip", 40), (6, "antrean", 25),
                                     (0, "layanan", 10), (0, "portal", 30)):
        clock.now = NOW - timedelta(days=days_ago)
        request = await office.submit(NewRequest(
            agency_id=agency.id, requester_id=requester.id, subdomain=label,
            purpose="Portal layanan", target_kind="ip", target_value="192.0.2.20",
            letter_number=f"400/{days_ago + 100}/Dinkes/2026", letter_date=date(2026, 11, 2),
            letter_subject="Permohonan Pembuatan Subdomain", contact_name="Petugas",
            contact_phone="+6281200000000"))
        clock.now += timedelta(minutes=minutes)
        await office.act(head, request.id, ActionInput(
            Action.DECLINE, request.version,
            note="Nama sudah digunakan oleh aplikasi lain; mohon ajukan nama lain."))
        letters.append((await office.letters(request))[-1])
    clock.now = NOW + timedelta(hours=2)
    zone = office.settings.data_dir / "zone.txt"
    zone.write_text(f"$ORIGIN {office.settings.parent_domain}.\n{ZONE}")
    await office.register.import_zone(zone)
    for label, code in OWNERS:
        await office.register.assign(label, code)
    return letters[-2]


async def photograph(outdir: Path) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="web-shots-") as tmp:
        folder = Path(tmp)
        sock = bind("127.0.0.1", 0)
        port = int(sock.getsockname()[1])
        settings = settings_for(folder, port)
        clock = Clock()
        office = Office(await Store.open(settings.database_path), settings, clock)
        site = Site(office)
        try:
            (folder / "data").mkdir(parents=True, exist_ok=True)
            letter = await populate(office, clock)
            site.start(sock)
            return await asyncio.to_thread(_shoot, f"http://127.0.0.1:{port}", letter,
                                           folder / "profile", outdir)
        finally:
            await site.stop()
            await office.close()


def _shoot(base: str, letter: IssuedLetter, profile: Path, outdir: Path) -> list[Path]:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    browser = chromium(profile)
    shots = []
    try:
        def shot(name: str) -> None:
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(PHONE[0], max(PHONE[1], int(height)))
            path = outdir / name
            browser.save_screenshot(str(path))
            browser.set_window_size(*PHONE)
            shots.append(path)

        browser.get(f"{base}/verifikasi/{letter.verification_code}")
        browser.find_element(By.ID, "berkas").send_keys(str(letter.path))
        page = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, "form[method=post] button").click()
        WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
            staleness_of(page))
        shot("web-verifikasi.png")
        browser.get(f"{base}/subdomain")
        shot("web-subdomain.png")
        browser.get(f"{base}/mutu-baku")
        shot("web-mutu-baku.png")
    finally:
        browser.quit()
    return shots


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else Path("docs")
    outdir.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(photograph(outdir)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
