"""A headless Chromium driven by Selenium, for the public pages' tests and screenshots.

Only the Debian packages (`chromium`, `chromium-driver`; scripts/setup.sh installs them):
Selenium is given the local chromedriver and browser, and its Selenium Manager is told to stay
offline, so nothing is ever downloaded. The flags keep Chromium off the network (no component
updates, no sync, no QUIC, no background requests) and in a fresh profile.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--hide-scrollbars")
PHONE = (390, 844)
"""A phone's viewport in CSS pixels (an ordinary 6.1-inch phone)."""


class BrowserMissing(RuntimeError):
    """Chromium or its driver is not installed."""


def chromium(profile: Path, size: tuple[int, int] = PHONE) -> WebDriver:
    """A headless Chromium in the fresh profile folder `profile`, its window `size`."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        raise BrowserMissing(
            f"{' and '.join(missing)} not found: install the Debian packages chromium and "
            "chromium-driver (bash scripts/setup.sh does)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never a download
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    service = Service(str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(*size)
    return driver
