#!/usr/bin/env bash
# The console's browser tests drive Debian's chromium with Playwright (no browser download): install it if missing.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; }
command -v chromium >/dev/null 2>&1 || { echo "chromium is missing and could not be installed (apt-get install chromium)"; exit 1; }
