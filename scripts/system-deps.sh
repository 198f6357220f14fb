#!/usr/bin/env bash
# Install the Debian packages the project needs, only when they are missing.
#   - libpango (WeasyPrint renders PDFs with it)
#   - gettext (compilemessages)
#   - poppler-utils (pdftotext, used by the PDF tests)
# Browser tests install chromium themselves (scripts/e2e-deps.sh).
set -euo pipefail
missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
