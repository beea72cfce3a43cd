#!/bin/sh
# Install Debian's Chromium and ChromeDriver for the browser tests (tests/browser), if missing.
# Playwright drives /usr/bin/chromium directly: its own browser download is not used.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "install_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install_browser: run as root, or install the Debian packages chromium and chromium-driver" >&2
    exit 1
fi

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
echo "install_browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
