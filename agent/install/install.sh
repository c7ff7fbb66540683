#!/usr/bin/env bash
# Installs the camfleet agent on a site gateway (Linux on x64, ARM64 or ARMv7, Node 20+, systemd).
# Run from an unpacked camfleet tree (release tarball or git checkout) as root; docs/agent.md walks through it.
#
#   sudo agent/install/install.sh [--config SITE.yaml] [--ca-file CA.pem] [--password-stdin] [--start]
#                                 [--prefix /opt/camfleet] [--force-config] [--dry-run] [--print-unit]
#
# What it does (each step is idempotent; --dry-run prints the steps and changes nothing):
#   - checks the CPU architecture, Node >= 20, npm and ping;
#   - creates the system user and group `camfleet` (no login, no home);
#   - installs the agent and its production dependencies to PREFIX (default /opt/camfleet), owned by root;
#   - creates /etc/camfleet (root:camfleet 0750) and /var/lib/camfleet (camfleet:camfleet 0700);
#   - copies the site config (root:camfleet 0640) and the broker CA (0644, public); writes the MQTT
#     password read from stdin to /etc/camfleet/mqtt.password (camfleet:camfleet 0400: the agent alone);
#   - installs and enables camfleet-agent.service; checks the config as the camfleet user; --start starts it.
set -euo pipefail

PREFIX=/opt/camfleet
CONFIG=""
CA_FILE=""
PASSWORD_STDIN=0
START=0
DRY=0
FORCE_CONFIG=0
PRINT_UNIT=0
ETC=/etc/camfleet
STATE=/var/lib/camfleet
UNIT=/etc/systemd/system/camfleet-agent.service
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }
run() { if [ "$DRY" = 1 ]; then echo "+ $*"; else "$@"; fi; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
    --config) CONFIG="${2:?--config needs a file}"; shift 2 ;;
    --ca-file) CA_FILE="${2:?--ca-file needs a file}"; shift 2 ;;
    --password-stdin) PASSWORD_STDIN=1; shift ;;
    --start) START=1; shift ;;
    --force-config) FORCE_CONFIG=1; shift ;;
    --dry-run) DRY=1; shift ;;
    --print-unit) PRINT_UNIT=1; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

NODE="$(command -v node || true)"
render_unit() {
  sed -e "s|@NODE@|${NODE:-/usr/bin/node}|g" -e "s|@PREFIX@|$PREFIX|g" "$SRC/agent/install/camfleet-agent.service.in"
}
if [ "$PRINT_UNIT" = 1 ]; then render_unit; exit 0; fi

# --- checks -------------------------------------------------------------------------------------------
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || die "run as root (sudo), or with --dry-run to see what it would do"
case "$(uname -m)" in
  x86_64|amd64) ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  armv7l|armv7*|armhf) ARCH=armv7 ;;
  *) die "unsupported CPU architecture $(uname -m); supported: x86_64, aarch64 (ARM64), armv7l (ARMv7)" ;;
esac
[ -n "$NODE" ] || die "node not found: install Node.js 20 or later (e.g. Debian 12: apt-get install nodejs npm, or NodeSource 20.x)"
NODE_VERSION="$("$NODE" -p 'process.versions.node')"
[ "${NODE_VERSION%%.*}" -ge 20 ] || die "Node $NODE_VERSION is too old: the agent needs Node 20 or later"
command -v npm >/dev/null || die "npm not found (Debian: apt-get install npm)"
command -v ping >/dev/null || echo "install.sh: warning: no ping binary (Debian: apt-get install iputils-ping); reachability will use TCP" >&2
[ -f "$SRC/agent/bin/camfleet-agent.js" ] && [ -d "$SRC/shared/src" ] || die "run from a camfleet tree: $SRC has no agent/bin or shared/src"
[ -z "$CONFIG" ] || [ -f "$CONFIG" ] || die "no such config file: $CONFIG"
[ -z "$CA_FILE" ] || grep -q -- '-----BEGIN ' "$CA_FILE" || die "$CA_FILE is not a PEM file"
say "camfleet agent → $PREFIX (Linux $ARCH, Node $NODE_VERSION at $NODE)"

# --- user ---------------------------------------------------------------------------------------------
if getent passwd camfleet >/dev/null; then
  say "user camfleet exists"
else
  say "creating system user camfleet"
  run useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin --comment "camfleet agent" camfleet
fi

# --- program ------------------------------------------------------------------------------------------
say "installing the agent and its production dependencies"
STAGE="$PREFIX.new"
run rm -rf "$STAGE"
run mkdir -p "$STAGE/docs"
run cp -a "$SRC/agent" "$SRC/shared" "$STAGE/"
run rm -rf "$STAGE/agent/node_modules" "$STAGE/shared/node_modules"
run cp "$SRC/package-lock.json" "$STAGE/"
[ ! -f "$SRC/docs/agent.md" ] || run cp "$SRC/docs/agent.md" "$STAGE/docs/"
if [ "$DRY" = 1 ]; then
  echo "+ write $STAGE/package.json (workspaces: shared, agent)"
else
  cat >"$STAGE/package.json" <<'JSON'
{ "name": "camfleet-agent-install", "private": true, "type": "module", "workspaces": ["shared", "agent"] }
JSON
fi
# npm keeps the lock's pinned versions for what the agent needs and picks the prebuilt binaries (sharp,
# esbuild) for this CPU. Needs the npm registry; for an offline gateway, run this on a machine of the same
# architecture and copy PREFIX over.
run bash -c "cd '$STAGE' && npm install --omit=dev --no-audit --no-fund --loglevel=error"
run find "$STAGE/agent" "$STAGE/shared" -name '*.test.ts' -delete
run chown -R root:root "$STAGE"
run chmod -R go-w "$STAGE"
if [ -d "$PREFIX" ]; then run rm -rf "$PREFIX.old"; run mv "$PREFIX" "$PREFIX.old"; fi
run mv "$STAGE" "$PREFIX"
run rm -rf "$PREFIX.old"

# --- config, secrets, state ---------------------------------------------------------------------------
say "config in $ETC (root:camfleet 0750), state in $STATE (camfleet 0700)"
run install -d -o root -g camfleet -m 0750 "$ETC"
run install -d -o camfleet -g camfleet -m 0700 "$STATE"
if [ -n "$CONFIG" ]; then
  if [ -f "$ETC/site.yaml" ] && [ "$FORCE_CONFIG" = 0 ]; then
    echo "install.sh: $ETC/site.yaml exists; left as it is (--force-config replaces it)" >&2
  else
    run install -o root -g camfleet -m 0640 "$CONFIG" "$ETC/site.yaml"
  fi
fi
[ -z "$CA_FILE" ] || run install -o root -g camfleet -m 0644 "$CA_FILE" "$ETC/ca.pem"
if [ "$PASSWORD_STDIN" = 1 ]; then
  if [ "$DRY" = 1 ]; then
    echo "+ write the password from stdin to $ETC/mqtt.password (camfleet:camfleet 0400)"
  else
    TMP="$(umask 077 && mktemp)"
    IFS= read -r PASSWORD || true
    [ -n "${PASSWORD:-}" ] || { rm -f "$TMP"; die "--password-stdin: nothing on stdin"; }
    printf '%s\n' "$PASSWORD" >"$TMP"
    unset PASSWORD
    install -o camfleet -g camfleet -m 0400 "$TMP" "$ETC/mqtt.password"
    rm -f "$TMP"
  fi
fi

# --- service ------------------------------------------------------------------------------------------
say "installing $UNIT"
if [ "$DRY" = 1 ]; then echo "+ write $UNIT:"; render_unit | sed 's/^/    /'; else render_unit >"$UNIT"; chmod 0644 "$UNIT"; fi
if command -v systemctl >/dev/null; then
  run systemctl daemon-reload
  run systemctl enable camfleet-agent.service
else
  echo "install.sh: warning: no systemctl; start the agent yourself: $NODE $PREFIX/agent/bin/camfleet-agent.js run $ETC/site.yaml" >&2
fi

# --- check --------------------------------------------------------------------------------------------
if [ -f "$ETC/site.yaml" ] || [ "$DRY" = 1 ]; then
  say "checking $ETC/site.yaml as the camfleet user"
  if run runuser -u camfleet -- "$NODE" "$PREFIX/agent/bin/camfleet-agent.js" check "$ETC/site.yaml"; then
    if [ "$START" = 1 ]; then run systemctl restart camfleet-agent.service; say "started: journalctl -u camfleet-agent -f"; fi
  else
    die "the site config has problems (above); fix $ETC/site.yaml, then: systemctl start camfleet-agent"
  fi
else
  say "no site config yet: put it at $ETC/site.yaml, check it, then start (docs/agent.md)"
fi
say "done"
