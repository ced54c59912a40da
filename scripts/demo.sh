#!/usr/bin/env bash
# npm run demo: boot a local disposable Debian server, set it up, deploy the bundled example app,
# and print its URL and answer. Linux, as root (systemd-nspawn). Remove the server afterwards with
#   bash test/hosts/droplet.sh down gatling-demo
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
droplet=(bash "$root/test/hosts/droplet.sh")
[ "$(id -u)" = 0 ] || { echo "the demo boots a local test server with systemd-nspawn: run it as root" >&2; exit 1; }

"${droplet[@]}" setup-host >/dev/null
"${droplet[@]}" down gatling-demo >/dev/null 2>&1 || true
eval "$("${droplet[@]}" up gatling-demo | grep '^DROPLET_')"

work=$(mktemp -d /tmp/gatling-demo.XXXXXX)
export HOME=$work/home GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com
mkdir -p "$HOME"
cp -r "$root/test/fixtures/hello" "$work/hello"
cd "$work/hello"
echo 'GREETING=Hello from your own server,' > .env.production
git init -q -b main && git add -A && git commit -qm "example app"

gatling() { node "$root/bin/run.js" "$@"; }
gatling setup "root@$DROPLET_HOST" --identity "$DROPLET_KEY" --accept-new-host-key
gatling push --identity "$DROPLET_KEY"

echo
echo "URL:    http://$DROPLET_HOST/"
echo "Answer: $(curl -fsS "http://$DROPLET_HOST/")"
echo
echo "The app is in $work/hello. Change lib/hello.ex, commit, and run"
echo "  cd $work/hello && HOME=$HOME node $root/bin/run.js push -i $DROPLET_KEY"
echo "to watch a hot upgrade. Remove the server with: bash $root/test/hosts/droplet.sh down gatling-demo"
