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
#   otp-src/OTP-25.2.3/otp_src_25.2.3.tar.gz and SHA256.txt: Debian's orig tarball of Erlang/OTP 25.2.3 (the
#     release tag's tree, configure scripts included) repackaged as Erlang/OTP's own source release is, for
#     toolchains.otpSource (the source build on servers with no upstream build, Debian 11's)
# Each file is built when missing (its name carries its version): delete the directory after changing a recipe.
set -Eeuo pipefail

DROPLET_HOME=${DROPLET_HOME:-/var/tmp/gatling-hosts}
CACHE_DIR=${DROPLET_CACHE:-$DROPLET_HOME/cache}
POOL=${TOOLCHAIN_POOL:-http://deb.debian.org/debian/pool/main}
ELIXIRS=(1.18.3 1.14.0)
OTP_MAJOR=25
OTP_SOURCES=(25.2.3)

log() { printf '[toolchain-mirror %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

build_elixir() { # VSN OUT: Elixir VSN compiled on this machine's OTP, zipped as OUT
    local vsn=$1 out=$2 work t0
    work=$(mktemp -d); t0=$(date +%s)
    log "Elixir $vsn: downloading $POOL/e/elixir-lang/elixir-lang_$vsn.dfsg.orig.tar.xz"
    curl -fsSL "$POOL/e/elixir-lang/elixir-lang_$vsn.dfsg.orig.tar.xz" -o "$work/src.tar.xz"
    tar -C "$work" -xJf "$work/src.tar.xz"
    local src; src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    log "Elixir $vsn: make compile (a few minutes)"
    make -C "$src" -j"$(nproc)" compile >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; die "make compile of Elixir $vsn failed"; }
    [ "$("$src/bin/elixir" -e 'IO.write System.version()')" = "$vsn" ] || die "the compiled Elixir does not say it is $vsn"
    (cd "$src" && zip -qr "$out.partial" bin VERSION lib/*/ebin lib/*/lib)
    mv "$out.partial" "$out"
    rm -rf "$work"
    log "Elixir $vsn: built in $(( $(date +%s) - t0 )) s"
}

repack_otp_source() { # VSN DIR: Debian's orig tarball of Erlang/OTP VSN as DIR/otp_src_VSN.tar.gz, with DIR/SHA256.txt
    local vsn=$1 out=$2 work
    work=$(mktemp -d)
    log "Erlang/OTP $vsn source: downloading $POOL/e/erlang/erlang_$vsn+dfsg.orig.tar.xz"
    curl -fsSL "$POOL/e/erlang/erlang_$vsn+dfsg.orig.tar.xz" -o "$work/src.tar.xz"
    tar -C "$work" -xJf "$work/src.tar.xz"
    mv "$work/otp-OTP-$vsn" "$work/otp_src_$vsn"
    mkdir -p "$out"
    tar -C "$work" -czf "$out/otp_src_$vsn.tar.gz.partial" "otp_src_$vsn"
    mv "$out/otp_src_$vsn.tar.gz.partial" "$out/otp_src_$vsn.tar.gz"
    (cd "$out" && sha256sum "otp_src_$vsn.tar.gz" >SHA256.txt)
    rm -rf "$work"
}

ensure() {
    command -v erl >/dev/null && command -v make >/dev/null && command -v zip >/dev/null && command -v xz >/dev/null || die "needs erl, make, zip and xz (droplet.sh setup-host installs them)"
    local otp; otp=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().')
    [ "$otp" = "$OTP_MAJOR" ] || die "this machine runs OTP $otp: the mirror's Elixir builds are for OTP $OTP_MAJOR (Debian 12's)"
    local dir=$CACHE_DIR/toolchain-mirror vsn zip
    mkdir -p "$dir/builds/elixir"
    exec 9>"$CACHE_DIR/.toolchain-mirror.lock"; flock 9
    for vsn in "${ELIXIRS[@]}"; do
        zip=$dir/builds/elixir/v$vsn-otp-$OTP_MAJOR.zip
        [ -s "$zip" ] || build_elixir "$vsn" "$zip"
    done
    for vsn in "${ELIXIRS[@]}"; do
        zip=v$vsn-otp-$OTP_MAJOR.zip
        printf 'v%s-otp-%s %s %s %s\n' "$vsn" "$OTP_MAJOR" 0000000000000000000000000000000000000000 "$(date -u -r "$dir/builds/elixir/$zip" +%Y-%m-%dT%H:%M:%SZ)" "$(sha256sum "$dir/builds/elixir/$zip" | cut -d' ' -f1)"
    done >"$dir/builds/elixir/builds.txt.new"
    mv "$dir/builds/elixir/builds.txt.new" "$dir/builds/elixir/builds.txt"
    for vsn in "${OTP_SOURCES[@]}"; do
        [ -s "$dir/otp-src/OTP-$vsn/SHA256.txt" ] || repack_otp_source "$vsn" "$dir/otp-src/OTP-$vsn"
    done
    echo "$dir"
}

case ${1:-} in
    ensure) ensure ;;
    *) echo "usage: toolchain-mirror.sh ensure" >&2; exit 2 ;;
esac
