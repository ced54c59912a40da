#!/usr/bin/env bash
# End-to-end tests against real disposable Debian hosts (test/hosts/droplet.sh). Needs root.
#   bash test/e2e/run.sh [mocha args / spec globs...]
#   E2E_SUITES=bookworm bash test/e2e/run.sh   # bases to prepare up front (default: the three the tests use)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "e2e tests need root (systemd-nspawn, netns, mounts)" >&2; exit 1; }

DROPLET=test/hosts/droplet.sh
export DROPLET_HOME=${DROPLET_HOME:-/var/tmp/gatling-hosts}
export E2E_SUITES=${E2E_SUITES:-bookworm,trixie,bullseye}
# one .deb cache for every test host: each setup still runs apt-get for real, but downloads a package once
export DROPLET_APT_CACHE=${DROPLET_APT_CACHE:-$DROPLET_HOME/apt-archives}
# the test files run side by side (each boots its own uniquely named hosts): most of a test waits on a server
E2E_JOBS=${E2E_JOBS:-3}
# tags the hosts this run boots, so the final down-all leaves other people's hosts alone
export DROPLET_RUN_ID=${DROPLET_RUN_ID:-e2e-$$}

bash "$DROPLET" setup-host
# always, even when mocha fails or is interrupted: none of this run's hosts survives (and once
# no host is left, no netns, veth, mount or nft table either)
trap 'bash "$DROPLET" down-all || true' EXIT
trap "exit 130" INT; trap "exit 143" TERM
for suite in ${E2E_SUITES//,/ }; do
    DROPLET_SUITE=$suite bash "$DROPLET" ensure-base
done
# the local toolchain mirror's Elixir builds (toolchains.test.ts): compiled once from Debian's sources, cached
bash test/hosts/toolchain-mirror.sh ensure >/dev/null

[ $# -gt 0 ] || set -- 'test/e2e/**/*.test.ts'
if [ "$E2E_JOBS" -gt 1 ]; then npx mocha --parallel --jobs "$E2E_JOBS" --timeout 600000 "$@"; else npx mocha --timeout 600000 "$@"; fi
