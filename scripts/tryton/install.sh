#!/usr/bin/env bash
# Installs Tryton 6.0 from Debian packages (server + the modules our adapter posts into).
# Idempotent: when every package is already installed it returns in well under a second
# without touching apt, so CI can call it on every run.
set -euo pipefail

PACKAGES=(
  tryton-server tryton-proteus
  tryton-modules-account tryton-modules-account-invoice tryton-modules-account-product
  tryton-modules-purchase tryton-modules-purchase-request tryton-modules-purchase-requisition
  tryton-modules-company tryton-modules-party tryton-modules-product tryton-modules-stock
  tryton-modules-currency tryton-modules-project tryton-modules-timesheet-cost
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "tryton: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

echo "tryton: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
