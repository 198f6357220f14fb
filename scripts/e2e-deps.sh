#!/usr/bin/env bash
# Debian's chromium for the browser tests (tests/e2e/), installed only when it is missing.
# Playwright drives it through executable_path=/usr/bin/chromium; `playwright install`
# is never used (it downloads a browser build of its own, which this project avoids).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "Installing Debian's chromium for the browser tests"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg >/dev/null
