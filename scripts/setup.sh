#!/usr/bin/env bash
# Set up everything the product and its tests need on a fresh Debian machine with Python 3.11:
# Debian packages (BIND 9 for the DNS tests, poppler for PDF pictures, Liberation Sans for the
# letters, Chromium and its driver for the public pages' browser tests) and a virtualenv in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || need_apt+=(bind9)
command -v dig >/dev/null 2>&1 || need_apt+=(bind9-dnsutils)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# Liberation Sans (Arial-metric), embedded in every letter the bot writes.
[ -f /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] \
    || need_apt+=(fonts-liberation2)
# A headless Chromium drives the public pages in the tests (Selenium uses these two, never a
# download of its own).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
if [ "${#need_apt[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian packages: ${need_apt[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test,devtools]'
    rm -f .venv/.installed-*
    touch "$stamp"
fi
