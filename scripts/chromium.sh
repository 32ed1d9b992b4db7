#!/usr/bin/env bash
# Installs Debian's Chromium for tests/suite/run_view_app.rs (the MCP Apps run view, rendered
# headless), when it is not there yet; .ci/run calls it. Without it that test says SKIPPED
# (outside CI) or fails (CI=true). Needs root, or sudo, for apt-get.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -n "${HATCHET_MCP_CHROMIUM:-}" ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
