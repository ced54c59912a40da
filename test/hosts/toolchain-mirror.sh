#!/usr/bin/env bash
# toolchain-mirror.sh: the files of a local toolchain mirror for the e2e tests, in the builds.hex.pm layout
# (toolchains.mirror in gatling.json), built once from Debian's source tarballs and cached like the base
# images. Upstream's hosts are unreachable from the test machines; Debian's pool is not.
#
#   toolchain-mirror.sh ensure     # prints the mirror's directory (builds it first when it is not cached)
#
# What it holds:
#   builds/elixir/v1.18.3-otp-25.zip, v1.14.0-otp-25.zip: Elixir compiled (make compile) on this machine's
#     OTP 25 (Debian 12's), zipped like upstream's precompiled builds (bin, VERSION, lib/*/ebin, lib/*/lib)
#   builds/elixir/builds.txt: NAME GIT_SHA DATE SHA256, as upstream's
# The directory's name carries a hash of this script: changing it builds a new mirror.
set -Eeuo pipefail

DROPLET_HOME=${DROPLET_HOME:-/var/tmp/gatling-hosts}
CACHE_DIR=${DROPLET_CACHE:-$DROPLET_HOME/cache}
POOL=${TOOLCHAIN_POOL:-http://deb.debian.org/debian/pool/main}
ELIXIRS=(1.18.3 1.14.0)
OTP_MAJOR=25

log() { printf '[toolchain-mirror %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

build_elixir() { # VSN OUT_DIR: Elixir VSN compiled on this machine's OTP, zipped as v VSN-otp-MAJOR.zip
    local vsn=$1 out=$2 work t0
    work=$(mktemp -d); t0=$(date +%s)
    log "Elixir $vsn: downloading $POOL/e/elixir-lang/elixir-lang_$vsn.dfsg.orig.tar.xz"
    curl -fsSL "$POOL/e/elixir-lang/elixir-lang_$vsn.dfsg.orig.tar.xz" -o "$work/src.tar.xz"
    tar -C "$work" -xJf "$work/src.tar.xz"
    local src; src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    log "Elixir $vsn: make compile (a few minutes)"
    make -C "$src" -j"$(nproc)" compile >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; die "make compile of Elixir $vsn failed"; }
    [ "$("$src/bin/elixir" -e 'IO.write System.version()')" = "$vsn" ] || die "the compiled Elixir does not say it is $vsn"
    (cd "$src" && zip -qr "$out/builds/elixir/v$vsn-otp-$OTP_MAJOR.zip" bin VERSION lib/*/ebin lib/*/lib)
    rm -rf "$work"
    log "Elixir $vsn: built in $(( $(date +%s) - t0 )) s"
}

ensure() {
    command -v erl >/dev/null && command -v zip >/dev/null && command -v xz >/dev/null || die "needs erl, zip and xz (droplet.sh setup-host installs them)"
    local otp; otp=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().')
    [ "$otp" = "$OTP_MAJOR" ] || die "this machine runs OTP $otp: the mirror's Elixir builds are for OTP $OTP_MAJOR (Debian 12's)"
    local hash dir
    hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
    dir=$CACHE_DIR/toolchain-mirror-$hash
    if [ -s "$dir/builds/elixir/builds.txt" ]; then echo "$dir"; return; fi
    mkdir -p "$CACHE_DIR"
    exec 9>"$CACHE_DIR/.toolchain-mirror.lock"; flock 9
    if [ -s "$dir/builds/elixir/builds.txt" ]; then echo "$dir"; return; fi
    rm -rf "$dir.partial"; mkdir -p "$dir.partial/builds/elixir"
    local vsn
    for vsn in "${ELIXIRS[@]}"; do build_elixir "$vsn" "$dir.partial"; done
    (cd "$dir.partial/builds/elixir" && for vsn in "${ELIXIRS[@]}"; do
        printf 'v%s-otp-%s %s %s %s\n' "$vsn" "$OTP_MAJOR" 0000000000000000000000000000000000000000 "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(sha256sum "v$vsn-otp-$OTP_MAJOR.zip" | cut -d' ' -f1)"
    done >builds.txt)
    mv "$dir.partial" "$dir"
    log "mirror ready in $dir"
    echo "$dir"
}

case ${1:-} in
    ensure) ensure ;;
    *) echo "usage: toolchain-mirror.sh ensure" >&2; exit 2 ;;
esac
