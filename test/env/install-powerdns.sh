#!/bin/sh
# The real dns lane's DNS server: PowerDNS Authoritative with the SQLite backend, and the sqlite3 shell that creates
# its database. Installs the Debian packages when they are missing (apt-get, as root or through sudo) and keeps the
# packaged system service from running: the lane starts its own pdns_server on free loopback ports.
set -eu
missing=""
if [ -z "${TEST_ASSET_PDNS_SERVER:-}" ]; then
  command -v pdns_server >/dev/null 2>&1 || [ -x /usr/sbin/pdns_server ] || missing="$missing pdns-server"
fi
[ -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ] || missing="$missing pdns-backend-sqlite3"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "[dns-real] installing$missing" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
case "$missing" in
  *pdns-server*)
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled pdns >/dev/null 2>&1; then
      $sudo systemctl disable --now pdns >/dev/null 2>&1 || true
    fi
    ;;
esac
