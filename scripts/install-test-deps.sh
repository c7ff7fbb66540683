#!/usr/bin/env bash
# System packages the tests need (Debian 12). The test harness starts its own Mosquitto, InfluxDB and
# PostgreSQL on free loopback ports; it never uses the system services these packages install.
#   root:     installs exactly the missing packages
#   not root: names them and the apt-get command, exits 1
# Quiet when everything is present.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
any_file() { compgen -G "$1" >/dev/null; }

# present PACKAGE: dpkg has it installed and the file the tests use is there.
present() {
  case "$1" in
    # The server binaries may come from postgresql-NN without the `postgresql` metapackage.
    postgresql) any_file '/usr/lib/postgresql/*/bin/initdb' ;;
    mosquitto) installed "$1" && [[ -x /usr/sbin/mosquitto ]] ;;
    mosquitto-clients) installed "$1" && [[ -x /usr/bin/mosquitto_pub ]] ;;
    influxdb) installed "$1" && [[ -x /usr/bin/influxd ]] ;;
    influxdb-client) installed "$1" && [[ -x /usr/bin/influx ]] ;;
    ffmpeg) installed "$1" && [[ -x /usr/bin/ffmpeg ]] ;;
    chromium) installed "$1" && [[ -x /usr/bin/chromium ]] ;;
    gstreamer1.0-tools) installed "$1" && [[ -x /usr/bin/gst-launch-1.0 ]] ;;
    gir1.2-gst-rtsp-server-1.0) installed "$1" && any_file '/usr/lib/*/girepository-1.0/GstRtspServer-1.0.typelib' ;;
    # Debian's python3, not whatever python is first on PATH.
    python3-gi) installed "$1" && /usr/bin/python3 -c 'import gi' 2>/dev/null ;;
    *) installed "$1" ;;
  esac
}

packages=(
  mosquitto mosquitto-clients
  influxdb influxdb-client
  postgresql
  ffmpeg
  chromium
  iputils-ping iproute2
  fonts-ipafont-gothic
  lomiri-wallpapers-16.04 palapeli-data
  gstreamer1.0-tools gir1.2-gst-rtsp-server-1.0 python3-gi
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad
  # clockoverlay / textoverlay (Pango) for the RTSP simulator's moving picture
  gstreamer1.0-x
)

missing_packages() {
  local p
  for p in "${packages[@]}"; do present "$p" || echo "$p"; done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
  echo "system packages: all present"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "missing system packages: ${missing[*]}; install them as root with:" \
    "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "installing system packages: ${missing[*]}"
# mosquitto, influxdb and postgresql start their services from their postinst scripts. In a container
# without an init system that start fails and makes apt-get (and this script) fail; on a workstation
# it would occupy 1883/8086/5432 for nothing. A policy-rc.d answering 101 ("action forbidden") makes
# invoke-rc.d and deb-systemd-invoke skip the start, so only a real install error can fail us. An
# existing policy-rc.d (Docker images ship one) is left alone.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# temporary, from camfleet scripts/install-test-deps.sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

mapfile -t still < <(missing_packages)
if ((${#still[@]} > 0)); then
  echo "still missing after apt-get install: ${still[*]}" >&2
  exit 1
fi
echo "system packages: installed ${missing[*]}"
