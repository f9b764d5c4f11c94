#!/usr/bin/env bash
# Installs the Debian packages the code_interpreter's bwrap backend needs: bubblewrap (the jail),
# Debian's own Python with the four libraries the model expects, and python3-seccomp (used once per
# server start to compile the jail's seccomp filter); and chromium, the headless browser the
# playground's tests drive with playwright-core (no browser download). Idempotent: when everything is already
# installed it checks with dpkg and exits without touching apt. Run as root (CI and the dev VMs are).
set -euo pipefail

PACKAGES=(
  bubblewrap
  python3
  python3-numpy
  python3-pandas
  python3-matplotlib
  python3-openpyxl
  python3-seccomp
  chromium
)

missing=()
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  if [ "$status" != "installed" ]; then missing+=("$package"); fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-packages: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_get() {
  if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi
}
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-system-packages: done"
