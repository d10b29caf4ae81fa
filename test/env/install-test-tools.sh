#!/bin/sh
# The outside readers the keystore tests check our JKS and PKCS#12 files with: OpenSSL 3 and Java's keytool (from
# the headless JRE). Installs the Debian packages when the tools are missing (apt-get, as root or through sudo);
# a machine that has them (any JDK's keytool on PATH) installs nothing.
set -eu
missing=""
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v keytool >/dev/null 2>&1 || missing="$missing openjdk-17-jre-headless"
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "[test] installing$missing (readers for the keystore tests)" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
