#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end test needs, offline-friendly and idempotent:
#   - Debian chromium (headless browser driven by playwright-core) and the build deps of code-server's
#     native modules, via apt-get, only when missing;
#   - code-server@4.100.3 (= VS Code 1.100.3) into a cache folder OUTSIDE the project's node_modules,
#     seeding @vscode/ripgrep's download cache with Debian's rg (its postinstall would hit GitHub).
# Cache: $FIELDNOTES_E2E_CACHE, default $HOME/.cache/fieldnotes-e2e. Prints the code-server path last.
set -euo pipefail

CS_VERSION=4.100.3
CACHE="${FIELDNOTES_E2E_CACHE:-$HOME/.cache/fieldnotes-e2e}"
CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { echo "[setup-code-server] $*" >&2; }

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_pkgs=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v rg >/dev/null 2>&1 || need_pkgs+=(ripgrep)
if [ ! -x "$CS_BIN" ]; then
  # only needed to build code-server's native modules
  for p in libkrb5-dev pkg-config libx11-dev libxkbfile-dev libsecret-1-dev make g++ python3; do
    dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
  done
fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  mkdir -p "$CACHE"
  log "apt-get install ${need_pkgs[*]} (log: $CACHE/apt.log)"
  export DEBIAN_FRONTEND=noninteractive
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } >"$CACHE/apt.log" 2>&1 || {
    log "apt-get failed; last lines of $CACHE/apt.log:"; tail -30 "$CACHE/apt.log" >&2; exit 1; }
fi

if [ -x "$CS_BIN" ] && "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VERSION"; then
  log "code-server $CS_VERSION already installed in $CS_DIR"
else
  log "installing code-server@$CS_VERSION into $CS_DIR"
  mkdir -p "$CS_DIR" "$CACHE/tmp" "$CACHE/rg"
  export TMPDIR="$CACHE/tmp"
  RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RG_CACHE"
  cp "$(command -v rg)" "$CACHE/rg/rg"
  for t in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz; do
    [ -f "$RG_CACHE/$t" ] || tar czf "$RG_CACHE/$t" -C "$CACHE/rg" rg
  done
  cd "$CS_DIR"
  [ -f package.json ] || npm init -y >/dev/null
  npm_config_yes=true npm_config_unsafe_perm=true npm_config_update_notifier=false npm_config_fund=false \
    npm_config_audit=false npm install "code-server@$CS_VERSION" --foreground-scripts >"$CACHE/npm-install.log" 2>&1 || {
      log "npm install failed; last lines of $CACHE/npm-install.log:"; tail -40 "$CACHE/npm-install.log" >&2; exit 1; }
  "$CS_BIN" --version >&2
fi
echo "$CS_BIN"
