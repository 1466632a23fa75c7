"""The public pages in a real headless Chromium at a phone's size: the letter's QR address,
the upload of the genuine PDF and of a tampered copy, a revoked and a replaced letter, an
unknown code, uploads that are too large or not a PDF, the official names and the figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

from devtools.browser import PHONE
from tests.support.office import BALANGAN, settings_env
from tests.web.conftest import World, another

ROOT = Path(__file__).resolve().parents[2]


def text(browser: WebDriver, css: str = "main") -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text


def fits_the_phone(browser: WebDriver) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"page is {width}px wide on a {PHONE[0]}px screen"


def printed_address(pdf: Path) -> str:
    """The verification address the letter prints beside its QR code (the QR holds it too)."""
    words = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    # the footer wraps wherever it likes: read it without its line breaks and spaces
    found = re.search(r"http://127\.0\.0\.1:\d+/verifikasi/[A-Z2-7]{16}", re.sub(r"\s", "", words))
    assert found, words[-600:]
    return found.group(0)


def submitted(browser: WebDriver, button: WebElement) -> None:
    """Press `button` and wait for the page it leads to."""
    before = browser.find_element(By.TAG_NAME, "html")
    button.click()
    # While the page changes, chromedriver may answer "frame detached" and the like: asked
    # again until the old page is gone.
    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
        staleness_of(before))


def upload(browser: WebDriver, path: Path) -> str:
    browser.find_element(By.ID, "berkas").send_keys(str(path))
    submitted(browser, browser.find_element(By.CSS_SELECTOR, "form[method=post] button"))
    return text(browser)


def tampered(original: Path, folder: Path) -> Path:
    """The same letter with one word changed in its document information, as a forger would
    edit a copy: the bytes the signature covers are no longer the signed ones."""
    data = original.read_bytes()
    marker = data.find(b"/Producer")
    assert marker > 0
    copy = bytearray(data)
    copy[marker + 12] = ord("X") if copy[marker + 12] != ord("X") else ord("Y")
    path = folder / "salinan-diubah.pdf"
    path.write_bytes(bytes(copy))
    return path


def test_the_letters_qr_address_and_its_genuine_and_tampered_files(
        world: World, browser: WebDriver, tmp_path: Path) -> None:
    letter = world.valid
    address = printed_address(letter.path)
    assert address == world.site.url(f"/verifikasi/{letter.verification_code}")
    browser.get(address)
    page = text(browser)
    assert "BERLAKU" in text(browser, "#status")
    assert letter.number in page and letter.subject in page and letter.addressee in page
    assert "Drs. H. Rahmadi, M.Si (Kepala Dinas)" in page
    assert "Permohonan ditolak" in page
    assert "3 Desember 2026" in page
    assert letter.sha256 in page
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in text(browser, "header")
    assert BALANGAN["OFFICE_ADDRESS"] in text(browser, "header")
    fits_the_phone(browser)

    verdict = upload(browser, letter.path)
    assert "ASLI" in text(browser, "#putusan")
    assert "Tanda tangan elektronik UTUH; penanda tangan Drs. H. Rahmadi, M.Si" in verdict
    assert "sertifikat tepercaya" in verdict
    fits_the_phone(browser)

    verdict = upload(browser, tampered(letter.path, tmp_path))
    assert "TIDAK SAMA" in text(browser, "#putusan")
    assert "TIDAK UTUH" in verdict

    verdict = upload(browser, world.other.path)  # a real letter, but another one
    assert "TIDAK SAMA" in text(browser, "#putusan")


def test_uploads_that_are_too_large_or_not_a_pdf_are_told_plainly(
        world: World, browser: WebDriver, tmp_path: Path) -> None:
    browser.get(world.site.url(f"/verifikasi/{world.valid.verification_code}"))
    picture = tmp_path / "foto-surat.pdf"  # named .pdf, but a PNG
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    upload(browser, picture)
    assert text(browser, "#galat") == ("Berkas yang diunggah bukan PDF. Mohon unggah berkas "
                                       "surat dalam format PDF.")
    big = tmp_path / "besar.pdf"
    big.write_bytes(b"%PDF-1.4\n" + os.urandom(3 * 2**20))
    upload(browser, big)
    assert text(browser, "#galat") == "Berkas terlalu besar. Ukuran berkas paling besar 1 MB."
    assert "BERLAKU" in text(browser, "#status")  # the letter's page is still there


def test_a_revoked_and_a_replaced_letter_say_so(world: World, browser: WebDriver) -> None:
    env = {**os.environ, **settings_env(**world.env)}
    revoke = subprocess.run(
        [sys.executable, "-m", "bot", "letter", "revoke", world.last_month.verification_code,
         "--reason", "Diterbitkan ulang karena salah alamat", "--replaced-by",
         world.other.number], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=False)
    assert revoke.returncode == 0, revoke.stderr
    assert revoke.stdout.startswith(f"letter {world.last_month.number} revoked, replaced by "
                                    f"{world.other.number}")
    browser.get(world.site.url(f"/verifikasi/{world.last_month.verification_code}"))
    status = text(browser, "#status")
    assert status.startswith("DIGANTI") and world.other.number in status
    assert "Alasan: Diterbitkan ulang karena salah alamat" in text(browser)

    revoke = subprocess.run(
        [sys.executable, "-m", "bot", "letter", "revoke", world.other.verification_code,
         "--reason", "Dicabut atas permintaan Perangkat Daerah"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False)
    assert revoke.returncode == 0, revoke.stderr
    browser.get(world.site.url(f"/verifikasi/{world.other.verification_code}"))
    # revoked on the command line's (wall) clock
    assert re.match(r"DICABUT — surat ini tercatat, tetapi telah dicabut pada \d{1,2} \w+ \d{4} "
                    r"dan tidak berlaku lagi\.$", text(browser, "#status"))
    assert "Dicabut atas permintaan Perangkat Daerah" in text(browser)
    fits_the_phone(browser)


def test_an_unknown_code_finds_nothing(world: World, browser: WebDriver) -> None:
    for wrong in ("AAAAAAAAAAAAAAAA", "bukan-kode!", another(world.valid.verification_code)):
        browser.get(world.site.url(f"/verifikasi/{wrong}"))
        assert text(browser, "h1") == "Surat tidak ditemukan"
        assert world.valid.number not in browser.page_source
    browser.get(world.site.url("/"))
    browser.find_element(By.ID, "kode").send_keys(world.valid.verification_code.lower())
    submitted(browser, browser.find_element(By.CSS_SELECTOR, "form button"))
    assert "BERLAKU" in text(browser, "#status")  # the code typed from the letter


def test_the_official_names_at_a_phones_size(world: World, browser: WebDriver) -> None:
    browser.get(world.site.url("/subdomain"))
    rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in browser.find_elements(By.CSS_SELECTOR, "#daftar tbody tr")]
    assert rows == [
        ["dinkes.balangankab.go.id", "Dinas Kesehatan", "3 Desember 2026"],
        ["disdik.balangankab.go.id", "Dinas Pendidikan", "3 Desember 2026"],
        ["ns1.balangankab.go.id", "Belum ditetapkan", "3 Desember 2026"],
        ["pariwisata.balangankab.go.id", "Belum ditetapkan", "3 Desember 2026"],
    ]
    page = browser.page_source
    for personal in ("Ahmad", "0812", "Budi", "Portal kesehatan"):
        assert personal not in page
    fits_the_phone(browser)


def test_the_months_figures_at_a_phones_size(world: World, browser: WebDriver) -> None:
    browser.get(world.site.url("/mutu-baku"))
    this = text(browser, "#bulan-ini")
    assert this.splitlines()[0] == "Desember 2026"
    # two requests, declined after 10 and 45 working minutes (step 1's standard: 15 minutes)
    assert "Permohonan diterima\n2" in this
    assert "Selesai (surat balasan diterima atau permohonan ditolak)\n2" in this
    assert "Tahapan selesai dalam waktu standar\n50%\ndari 2 tahapan" in this
    assert "Waktu sampai surat balasan (median, jam kerja)\n28 menit\ndari 2 surat" in this
    last = text(browser, "#bulan-lalu")
    assert last.splitlines()[0] == "November 2026"
    assert "Permohonan diterima\n1" in last and "20 menit\ndari 1 surat" in last
    fits_the_phone(browser)


def console(browser: WebDriver) -> list[dict[str, Any]]:
    """The browser console's entries since the last call."""
    entries: list[dict[str, Any]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
    return entries


def test_the_pages_hold_no_script(world: World, browser: WebDriver) -> None:
    console(browser)  # what earlier tests left (their 404s and 415s)
    for path in ("/", "/subdomain", "/mutu-baku", f"/verifikasi/{world.valid.verification_code}"):
        browser.get(world.site.url(path))
        assert browser.find_elements(By.TAG_NAME, "script") == []
        logs = [e for e in console(browser) if e["level"] == "SEVERE"]
        assert logs == [], logs  # nothing the CSP refused, no missing file


