#!/usr/bin/env bash
# droplet.sh - disposable "fresh cloud server" hosts for end-to-end tests of an SSH
# deployment tool, built from: debootstrap (Debian rootfs, built once) + overlayfs
# (fresh writable layer per host) + systemd-nspawn -b (real systemd as PID 1) +
# its own network namespace/veth (+ NAT so the guest reaches the Debian mirror).
#
# Needs root. Host packages: debootstrap systemd-container openssh-client iproute2
# nftables zstd curl (`droplet.sh setup-host` installs the missing ones).
#
#   droplet.sh setup-host              # apt-get install the host (and test) packages if missing (idempotent)
#   droplet.sh ensure-base             # base for $DROPLET_SUITE: present, else from cache, else build + cache
#   droplet.sh build-base              # debootstrap only (~45-85 s); reused read-only afterwards
#   droplet.sh save-base FILE.tar.zst
#   droplet.sh load-base FILE.tar.zst
#   droplet.sh up NAME                 # fresh host, booted, sshd ready; prints an env block
#   droplet.sh ssh NAME [cmd...]       # ssh root@NAME's address with its generated key
#   droplet.sh list
#   droplet.sh down NAME               # orderly poweroff, remove everything of NAME
#   droplet.sh down-all                # all hosts (only $DROPLET_RUN_ID's if set), then any leftover
#                                      # netns/veth/mount/nft table once no host is left
#
# DROPLET_SUITE=bookworm|trixie|bullseye picks the Debian release (default bookworm); each
# suite has its own base ($DROPLET_HOME/base-SUITE). Bases are cached as
# $DROPLET_HOME/cache/base-SUITE-VARIANT-HASH.tar.zst, HASH covering the package list and the
# build recipe, so changing either rebuilds.
#
# Host NAME with index N gets 10.231.N.2/30 (guest eth0) and 10.231.N.1/30 (host end).
# Users on the guest: root and "deploy" (passwordless sudo), both accept the generated
# key (or $DROPLET_PUBKEY, a public key file, if set).
set -Eeuo pipefail

DROPLET_HOME=${DROPLET_HOME:-/var/tmp/gatling-hosts}
SUITE=${DROPLET_SUITE:-bookworm}
[[ $SUITE =~ ^[a-z]+$ ]] || { echo "bad DROPLET_SUITE $SUITE" >&2; exit 2; }
BASE=${DROPLET_BASE:-$DROPLET_HOME/base-$SUITE}
CACHE_DIR=${DROPLET_CACHE:-$DROPLET_HOME/cache}
# the Debian mirror this machine's own apt uses (deb822 .sources or one-line sources.list)
apt_uri() { # apt_uri SUFFIX: the first configured URI ending in /SUFFIX
    { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 's/^URIs:[[:space:]]*//' | tr ' ' '\n' || true
      grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' || true; } |
        grep -E "/$1/?\$" | head -n 1 | sed 's#/$##' || true
}
MIRROR=${DROPLET_MIRROR:-$(apt_uri debian)}
SECURITY_MIRROR=${DROPLET_SECURITY_MIRROR:-$(apt_uri debian-security)}
[ -n "$MIRROR" ] || { echo "droplet.sh: no Debian mirror in this machine's apt sources; set DROPLET_MIRROR" >&2; exit 1; }
[ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=$MIRROR-security
VARIANT=${DROPLET_VARIANT:-minbase}           # minbase | default ("important" priority, closer to a cloud image)
KEEP_APT_LISTS=${DROPLET_KEEP_APT_LISTS:-0}   # 0: empty apt lists, the tool must run apt-get update (like many cloud images)
MASK_APT_TIMERS=${DROPLET_MASK_APT_TIMERS:-1} # 1: no apt-daily runs that could grab the dpkg lock mid-test
APT_PROXY=${DROPLET_APT_PROXY:-}              # optional, e.g. http://@HOST@:3142 (apt-cacher-ng on the host; @HOST@ = host end of the veth)
APT_CACHE=${DROPLET_APT_CACHE:-}              # optional host dir of .debs each guest starts its /var/cache/apt/archives with
SUPPRESS_SYNC=${DROPLET_SUPPRESS_SYNC:-1}     # 1: sync()/fsync() are no-ops in the guest (dpkg is much faster; data is disposable)
BOOT_TIMEOUT=${DROPLET_BOOT_TIMEOUT:-90}
NET_PREFIX=10.231
SUBNET=$NET_PREFIX.0.0/16
PKGS=openssh-server,systemd,systemd-sysv,dbus,libpam-systemd,iproute2,sudo,ca-certificates,curl,procps,netbase,less,iputils-ping,gnupg,lsb-release
[ -n "${DROPLET_EXTRA_PKGS:-}" ] && PKGS+=",$DROPLET_EXTRA_PKGS"  # e.g. python3,rsync,ufw (comma-separated)
# debian-archive-keyring: debootstrap only recommends it, and Ubuntu CI machines lack it
# the unit tests check every server script with shellcheck and the Elixir tools' verdicts with elixir
# pebble: Let's Encrypt's test ACME server (and pebble-challtestsrv, its DNS) for the HTTPS e2e tests
# openssl: the HTTPS tests make CAs and certificates with it
# zip, xz-utils, make, erlang-dev (yeccpre.hrl, which Elixir's parser build needs): test/hosts/toolchain-mirror.sh builds
#   Elixir zips from Debian's source tarballs
# rebar3: the unit tests build the fixtures' Erlang path dependencies with the distribution's rebar3, as servers do
HOST_PKGS=(debootstrap debian-archive-keyring systemd-container openssh-client iproute2 nftables zstd curl tmux shellcheck elixir pebble openssl zip xz-utils make erlang-dev rebar3)

log() { printf '[droplet %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
[ "$(id -u)" = 0 ] || die "must run as root"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- host packages
setup_host() {
    local p missing=()
    for p in "${HOST_PKGS[@]}"; do
        [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] && return 0
    log "installing host packages: ${missing[*]}"
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
}

hostdir() { echo "$DROPLET_HOME/hosts/$1"; }
sd_booted() { [ -d /run/systemd/system ]; }

# ---------------------------------------------------------------- base image
build_base() {
    [ -e "$BASE/etc/os-release" ] && { log "base already at $BASE"; return 0; }
    local tmp="$BASE.tmp" t0; t0=$(now)
    rm -rf "$tmp"; mkdir -p "$(dirname "$BASE")"
    local vopt=(); [ "$VARIANT" = minbase ] && vopt=(--variant=minbase)
    log "debootstrap ${vopt[*]} $SUITE -> $tmp"
    debootstrap "${vopt[@]}" --include="$PKGS" "$SUITE" "$tmp" "$MIRROR" >"$DROPLET_HOME/debootstrap-$SUITE.log" 2>&1 \
        || { tail -20 "$DROPLET_HOME/debootstrap-$SUITE.log" >&2; die "debootstrap failed (log: $DROPLET_HOME/debootstrap-$SUITE.log)"; }
    log "debootstrap done in $(since "$t0")s; preparing image"
    local R=$tmp
    cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
    chroot "$R" apt-get clean
    [ "$KEEP_APT_LISTS" = 1 ] || find "$R/var/lib/apt/lists" -mindepth 1 -maxdepth 1 -type f ! -name lock -delete
    # per-instance identity is written by "up": hostname, machine-id, ssh host keys, keys
    echo localhost >"$R/etc/hostname"
    : >"$R/etc/machine-id"; rm -f "$R/var/lib/dbus/machine-id"; ln -s /etc/machine-id "$R/var/lib/dbus/machine-id"
    rm -f "$R"/etc/ssh/ssh_host_*
    mkdir -p "$R/etc/systemd/system/ssh.service.d"
    cat >"$R/etc/systemd/system/ssh.service.d/10-hostkeys.conf" <<'EOF'
# fresh host keys per instance, as cloud-init does on a real droplet
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
EOF
    chroot "$R" useradd -m -s /bin/bash -G sudo deploy
    echo 'deploy ALL=(ALL) NOPASSWD:ALL' >"$R/etc/sudoers.d/90-deploy"; chmod 440 "$R/etc/sudoers.d/90-deploy"
    # things that cannot work in a container anyway, or that race the tool for the dpkg lock
    local mask=(e2scrub_all.timer e2scrub_reap.service fstrim.timer)
    [ "$MASK_APT_TIMERS" = 1 ] && mask+=(apt-daily.timer apt-daily-upgrade.timer)
    chroot "$R" systemctl mask "${mask[@]}" >/dev/null 2>&1 || true
    mv "$tmp" "$BASE"
    log "base ready in $(since "$t0")s: $BASE ($(du -sh "$BASE" | cut -f1))"
}

save_base() {
    [ -d "$BASE" ] || die "no base"
    tar -C "$BASE" --numeric-owner --xattrs -cf - . | zstd -q -T0 -o "$1.tmp" -f; mv "$1.tmp" "$1"
    log "saved $1 ($(du -h "$1" | cut -f1))"
}
load_base() {
    [ -e "$BASE/etc/os-release" ] && { log "base already at $BASE"; return 0; }
    local t0; t0=$(now)
    rm -rf "$BASE.tmp"; mkdir -p "$BASE.tmp"
    zstd -q -dc "$1" | tar -C "$BASE.tmp" --numeric-owner --xattrs -xf -
    mv "$BASE.tmp" "$BASE"
    log "base loaded from $1 in $(since "$t0")s"
}

# Everything that shapes the image: a change to any of it gives a new hash, hence a rebuild.
recipe_hash() {
    { echo "$SUITE $VARIANT $MIRROR $SECURITY_MIRROR $KEEP_APT_LISTS $MASK_APT_TIMERS $PKGS"; declare -f build_base; } \
        | sha256sum | cut -c1-12
}
base_in_use() { grep -qs "lowerdir=$BASE," /proc/mounts; }
ensure_base() {
    local hash cache; hash=$(recipe_hash); cache=$CACHE_DIR/base-$SUITE-$VARIANT-$hash.tar.zst
    mkdir -p "$CACHE_DIR"
    exec 8>"$DROPLET_HOME/.base-$SUITE.lock"; flock 8   # parallel "up"s must not build twice
    if [ -e "$BASE/etc/os-release" ] && [ "$(cat "$BASE.recipe" 2>/dev/null)" != "$hash" ]; then
        if base_in_use; then
            log "WARNING: base $BASE is outdated (recipe changed) but running hosts use it; keeping it for now"
        else
            log "base $BASE is outdated (recipe changed), removing it"
            rm -rf "$BASE" "$BASE.recipe"
        fi
    fi
    if [ ! -e "$BASE/etc/os-release" ]; then
        if [ -s "$cache" ]; then
            load_base "$cache"
        else
            build_base
            save_base "$cache"
            # older caches of this suite/variant are dead weight now
            find "$CACHE_DIR" -maxdepth 1 -name "base-$SUITE-$VARIANT-*.tar.zst" ! -name "${cache##*/}" -delete
        fi
        echo "$hash" >"$BASE.recipe"
    fi
    flock -u 8; exec 8>&-
}

# ---------------------------------------------------------------- host NAT
nat_up() {
    [ -e "$DROPLET_HOME/nat.on" ] && return 0
    [ -e "$DROPLET_HOME/ip_forward.orig" ] || sysctl -n net.ipv4.ip_forward >"$DROPLET_HOME/ip_forward.orig"
    sysctl -q -w net.ipv4.ip_forward=1
    if command -v nft >/dev/null; then
        echo nft >"$DROPLET_HOME/nat.on"
        nft delete table ip droplet 2>/dev/null || true   # stale table from a crashed run
        nft -f - <<EOF
table ip droplet {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    ip saddr $SUBNET ip daddr != $SUBNET masquerade
  }
}
EOF
    else
        echo iptables >"$DROPLET_HOME/nat.on"
        iptables -t nat -A POSTROUTING -s "$SUBNET" ! -d "$SUBNET" -j MASQUERADE
    fi
    # hosts with Docker (e.g. GitHub runners) set the FORWARD policy to DROP
    if command -v iptables >/dev/null && iptables -S FORWARD 2>/dev/null | grep -q -- '-P FORWARD DROP'; then
        echo 1 >"$DROPLET_HOME/forward.rules"
        iptables -I FORWARD -s "$SUBNET" -j ACCEPT; iptables -I FORWARD -d "$SUBNET" -j ACCEPT
    fi
}
nat_down() {
    case $(cat "$DROPLET_HOME/nat.on" 2>/dev/null) in
        nft) nft delete table ip droplet 2>/dev/null || true ;;
        iptables) iptables -t nat -D POSTROUTING -s "$SUBNET" ! -d "$SUBNET" -j MASQUERADE 2>/dev/null || true ;;
    esac
    if [ -e "$DROPLET_HOME/forward.rules" ]; then
        iptables -D FORWARD -s "$SUBNET" -j ACCEPT || true; iptables -D FORWARD -d "$SUBNET" -j ACCEPT || true
    fi
    [ -e "$DROPLET_HOME/ip_forward.orig" ] && sysctl -q -w net.ipv4.ip_forward="$(cat "$DROPLET_HOME/ip_forward.orig")"
    rm -f "$DROPLET_HOME/nat.on" "$DROPLET_HOME/ip_forward.orig" "$DROPLET_HOME/forward.rules"
}

# ---------------------------------------------------------------- cgroups (host without systemd as PID 1)
# Without systemd/machined on the host, nspawn (--register=no --keep-unit) puts the guest in
# "<its own cgroup>/payload". If that is the root cgroup, two guests would share one cgroup
# tree and one guest's systemd could kill the other's services. So each guest gets its own.
cg_roots() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo /sys/fs/cgroup; return; fi
    local h; for h in systemd unified; do [ -f "/sys/fs/cgroup/$h/cgroup.procs" ] && echo "/sys/fs/cgroup/$h"; done
}
cg_kill_and_remove() { # kill (by pid) whatever is left in this guest's own cgroups, then rmdir them
    local name=$1 root cg pid
    for root in $(cg_roots); do
        cg=$root/droplet-$name; [ -d "$cg" ] || continue
        for _ in $(seq 1 50); do
            local pids; pids=$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
            [ -z "$pids" ] && break
            for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
            sleep 0.1
        done
        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}

# ---------------------------------------------------------------- instances
ssh_opts() { local d; d=$(hostdir "$1"); echo "-F /dev/null -i $d/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$d/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR"; }

up() {
    local name=$1; [[ $name =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "bad name '$name'"
    ensure_base
    local d; d=$(hostdir "$name"); [ -e "$d" ] && die "host $name already exists ($d)"
    mkdir -p "$DROPLET_HOME/hosts"
    local t0 idx; t0=$(now)
    # allocate a free /30
    exec 9>"$DROPLET_HOME/.lock"; flock 9
    for idx in $(seq 1 251); do
        grep -qx "$idx" "$DROPLET_HOME"/hosts/*/index 2>/dev/null || break
    done
    [ "$idx" -le 250 ] || die "no free address (250 hosts running?)"
    mkdir -p "$d"/{upper,work,root}; echo "$idx" >"$d/index"; echo "$SUITE" >"$d/suite"
    echo "${DROPLET_RUN_ID:-}" >"$d/run-id"
    nat_up
    flock -u 9; exec 9>&-
    trap 'log "up failed, cleaning up"; down "$name" || true' ERR
    local host_ip=$NET_PREFIX.$idx.1 guest_ip=$NET_PREFIX.$idx.2 ns=droplet-$name veth=dplh$idx
    echo "$ns" >"$d/netns"; echo "$veth" >"$d/veth"

    # 1. rootfs: overlay on the read-only base (fallback: full copy, e.g. if /tmp is itself overlayfs)
    local R=$d/root
    if mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$d/upper,workdir=$d/work" "$R" 2>/dev/null; then
        echo overlay >"$d/fsmode"
    else
        cp -a "$BASE/." "$R/"; echo copy >"$d/fsmode"
    fi

    # 2. identity of this "droplet"
    echo "$name" >"$R/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$name" >"$R/etc/hosts"
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$R/etc/machine-id"; echo >>"$R/etc/machine-id"
    local rc=/etc/resolv.conf
    grep -q '^nameserver 127\.' /etc/resolv.conf && [ -e /run/systemd/resolve/resolv.conf ] && rc=/run/systemd/resolve/resolv.conf
    rm -f "$R/etc/resolv.conf"; grep -E '^(nameserver|search|options)' "$rc" | grep -v '^nameserver 127\.' >"$R/etc/resolv.conf" || true
    grep -q ^nameserver "$R/etc/resolv.conf" || echo 'nameserver 1.1.1.1' >>"$R/etc/resolv.conf"
    [ -n "$APT_PROXY" ] && echo "Acquire::http::Proxy \"${APT_PROXY//@HOST@/$NET_PREFIX.$idx.1}\";" >"$R/etc/apt/apt.conf.d/01proxy"
    ssh-keygen -q -t ed25519 -N '' -C "droplet-$name" -f "$d/id_ed25519"
    # The ed25519 host key is made here, so known_hosts is exact before boot (no trust on first
    # use); "ssh-keygen -A" in the guest keeps it and only adds the other key types.
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$R/etc/ssh/ssh_host_ed25519_key"
    echo "$guest_ip $(cut -d' ' -f1,2 "$R/etc/ssh/ssh_host_ed25519_key.pub")" >"$d/known_hosts"
    local pub=${DROPLET_PUBKEY:-$d/id_ed25519.pub} duid
    install -d -m 700 "$R/root/.ssh"; install -m 600 "$pub" "$R/root/.ssh/authorized_keys"
    duid=$(awk -F: '$1=="deploy"{print $3":"$4}' "$R/etc/passwd")
    install -d -m 700 -o "${duid%:*}" -g "${duid#*:}" "$R/home/deploy/.ssh"
    install -m 600 -o "${duid%:*}" -g "${duid#*:}" "$pub" "$R/home/deploy/.ssh/authorized_keys"

    # 3. network: netns + veth, guest side is "eth0" with a static address (already up when systemd starts)
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip addr add "$host_ip/30" dev "$veth"; ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$guest_ip/30" dev eth0; ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$host_ip"

    # 4. boot: systemd-nspawn -b, detached, console to a log file
    local nspawn=(systemd-nspawn --boot --directory="$R" --machine="$name" --hostname="$name"
        --private-network --network-namespace-path="/run/netns/$ns" --resolv-conf=off --link-journal=no
        --console=read-only)
    [ "$SUPPRESS_SYNC" = 1 ] && nspawn+=(--suppress-sync=yes)
    if [ -n "$APT_CACHE" ]; then # the guest's own archives dir, hard links of the cached .debs (no shared apt lock)
        mkdir -p "$APT_CACHE" "$d/apt/partial"
        find "$APT_CACHE" -maxdepth 1 -name '*.deb' -exec ln -t "$d/apt" {} + 2>/dev/null || true
        nspawn+=(--bind="$d/apt:/var/cache/apt/archives")
    fi
    local cgs=""
    if sd_booted; then
        : # systemd host: nspawn registers with machined and gets machine-NAME.scope of its own
    else
        nspawn+=(--register=no --keep-unit)
        local root; for root in $(cg_roots); do mkdir -p "$root/droplet-$name"; cgs+=" $root/droplet-$name/cgroup.procs"; done
    fi
    local t1; t1=$(now)
    # The wrapper records its own pid, joins the guest's cgroups, runs nspawn, and restarts it
    # when the guest reboots (nspawn exits 133 on reboot). SIGTERM to it = poweroff of the guest.
    setsid bash -c '
        echo $$ >"$1"; for f in $2; do echo $$ >"$f"; done; shift 2
        stop=0; trap "stop=1; kill -TERM \$child 2>/dev/null" TERM INT
        while :; do
            "$@" & child=$!
            wait $child; rc=$?
            while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
            [ $stop = 0 ] && [ $rc = 133 ] && { echo "[droplet] guest rebooted, restarting nspawn"; continue; }
            exit $rc
        done' droplet-boot "$d/nspawn.pid" "$cgs" "${nspawn[@]}" >"$d/console.log" 2>&1 </dev/null &
    for _ in $(seq 1 50); do [ -s "$d/nspawn.pid" ] && break; sleep 0.1; done

    # 5. wait for sshd
    local deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
    # shellcheck disable=SC2046
    until ssh $(ssh_opts "$name") -o ConnectTimeout=1 "root@$guest_ip" true 2>/dev/null; do
        kill -0 "$(cat "$d/nspawn.pid")" 2>/dev/null || { tail -30 "$d/console.log" >&2; false; }
        [ "$(date +%s)" -lt "$deadline" ] || { tail -30 "$d/console.log" >&2; log "sshd not ready after ${BOOT_TIMEOUT}s"; false; }
        sleep 0.2
    done
    trap - ERR
    log "host $name up: boot->sshd $(since "$t1")s, total $(since "$t0")s"
    cat >"$d/env" <<EOF
DROPLET_NAME=$name
DROPLET_HOST=$guest_ip
DROPLET_PORT=22
DROPLET_USER=root
DROPLET_SUDO_USER=deploy
DROPLET_KEY=$d/id_ed25519
DROPLET_KNOWN_HOSTS=$d/known_hosts
DROPLET_HOST_KEY_PUB=$R/etc/ssh/ssh_host_ed25519_key.pub
DROPLET_HOST_SIDE_IP=$host_ip
DROPLET_SUITE=$SUITE
DROPLET_DIR=$d
DROPLET_SSH="ssh -i $d/id_ed25519 -o UserKnownHostsFile=$d/known_hosts -o StrictHostKeyChecking=yes root@$guest_ip"
EOF
    cat "$d/env"
}

down() {
    local name=$1 d pid; d=$(hostdir "$name")
    [ -d "$d" ] || { log "no host $name"; return 0; }
    local t0; t0=$(now)
    if [ -s "$d/nspawn.pid" ]; then
        pid=$(cat "$d/nspawn.pid")
        # only signal it if it still is our nspawn for this root (guards against pid reuse)
        if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "systemd-nspawn .*--directory=$d/root "; then
            kill -TERM "$pid"   # nspawn -b forwards this as SIGRTMIN+3: orderly poweroff of the guest
            for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && { log "nspawn $pid still alive, SIGKILL"; kill -KILL "$pid" || true; }
        fi
    fi
    sd_booted && { machinectl terminate "$name" 2>/dev/null || true; }
    sd_booted || cg_kill_and_remove "$name"
    # nspawn's own leftovers if it was killed: its image lock (named by the root's dev:inode) and propagate dir
    mountpoint -q "$d/root" && rm -f "/run/systemd/nspawn/locks/inode-$(stat -c %d:%i "$d/root")"
    rmdir "/run/systemd/nspawn/propagate/$name" 2>/dev/null || true
    if mountpoint -q "$d/root"; then umount "$d/root" 2>/dev/null || { sleep 1; umount "$d/root" 2>/dev/null || umount -l "$d/root"; }; fi
    [ -s "$d/netns" ] && ip netns del "$(cat "$d/netns")" 2>/dev/null || true
    [ -s "$d/veth" ] && ip link del "$(cat "$d/veth")" 2>/dev/null || true
    # the .debs this guest downloaded join the cache (a name already there is another guest's same file)
    [ -n "$APT_CACHE" ] && [ -d "$d/apt" ] && { find "$d/apt" -maxdepth 1 -name '*.deb' -links 1 -exec ln -t "$APT_CACHE" {} + 2>/dev/null || true; }
    rm -rf "$d"
    exec 9>"$DROPLET_HOME/.lock"; flock 9   # last one out removes the NAT (serialised with "up")
    rmdir "$DROPLET_HOME/hosts" 2>/dev/null && nat_down || true
    flock -u 9; exec 9>&-
    log "host $name down in $(since "$t0")s"
}

# Leftovers that no host dir accounts for any more (a crashed or killed run).
sweep() {
    local pid m ns l cg root
    exec 9>"$DROPLET_HOME/.lock"; flock 9   # serialised with "up"
    if compgen -G "$DROPLET_HOME/hosts/*/index" >/dev/null; then flock -u 9; exec 9>&-; return 0; fi  # others still run
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "systemd-nspawn .*--directory=$DROPLET_HOME/hosts/" || continue
        [ "$pid" = $$ ] && continue
        log "killing stray nspawn $pid"; kill -KILL "$pid" 2>/dev/null || true
    done
    for root in $(cg_roots); do
        for cg in "$root"/droplet-*; do [ -d "$cg" ] && cg_kill_and_remove "${cg##*/droplet-}"; done
    done
    # deepest first, so an overlay is unmounted before anything beneath it
    for m in $(awk -v p="$DROPLET_HOME/hosts/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r); do
        log "unmounting stray $m"; umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^droplet-/ {print $1}'); do
        log "deleting stray netns $ns"; ip netns del "$ns" || true
    done
    for l in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^dplh[0-9]+(@|$)/ {sub(/@.*/, "", $2); print $2}'); do
        log "deleting stray veth $l"; ip link del "$l" || true
    done
    rm -rf "$DROPLET_HOME/hosts"
    nat_down
    nft delete table ip droplet 2>/dev/null || true
    flock -u 9; exec 9>&-
}

# down-all: with DROPLET_RUN_ID set, only the hosts "up" made under that id (so a test run
# does not take down someone else's hosts on a shared machine); leftovers are swept once no
# host at all is left.
down_all() {
    local d
    for d in "$DROPLET_HOME"/hosts/*/; do
        [ -d "$d" ] || continue
        [ -n "${DROPLET_RUN_ID:-}" ] && [ "$(cat "$d/run-id" 2>/dev/null)" != "$DROPLET_RUN_ID" ] && continue
        down "$(basename "$d")"
    done
    sweep
}

list() {
    local d n
    for d in "$DROPLET_HOME"/hosts/*/; do
        [ -e "$d/index" ] || continue; n=$(basename "$d")
        printf '%-16s %-14s pid=%-8s %s\n' "$n" "$NET_PREFIX.$(cat "$d/index").2" "$(cat "$d/nspawn.pid" 2>/dev/null)" \
            "$(kill -0 "$(cat "$d/nspawn.pid" 2>/dev/null)" 2>/dev/null && echo running || echo stopped)"
    done
}

cmd=${1:-}; shift || true
case $cmd in
    setup-host) setup_host ;;
    ensure-base) mkdir -p "$DROPLET_HOME"; ensure_base ;;
    build-base) mkdir -p "$DROPLET_HOME"; build_base ;;
    save-base) save_base "$1" ;;
    load-base) mkdir -p "$DROPLET_HOME"; load_base "$1" ;;
    up) mkdir -p "$DROPLET_HOME"; up "$1" ;;
    down) down "$1" ;;
    down-all) down_all ;;
    ssh) n=$1; shift; # shellcheck disable=SC2046
         exec ssh $(ssh_opts "$n") "root@$NET_PREFIX.$(cat "$(hostdir "$n")/index").2" "$@" ;;
    list) list ;;
    *) sed -n '2,29p' "$0"; exit 2 ;;
esac
