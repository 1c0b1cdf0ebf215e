#!/bin/bash
# Build a role's image parts. Two stages:
#
#   images/build.sh tree  ROLE [OUT]   the role's file tree in a folder (runs anywhere, no root):
#                                      overlays, enabled units, time zone, package list, the
#                                      project's wheel; what `make image-tree ROLE=...` runs.
#   images/build.sh image ROLE [OUT]   the tree on Raspberry Pi OS, as an .img for Raspberry Pi
#                                      Imager: see images/image.sh (needs arm64 emulation).
#
# ROLE is hub, kiosk, counter or display. OUT defaults to build/images/ROLE.
# Set MOTCUA_NO_WHEEL=1 to leave the wheel out (tests of the tree itself), PYTHON to pick the
# interpreter that builds it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(dirname "$here")
roles=(hub kiosk counter display)
steps=6
step=0
started=$SECONDS

say() { printf '%s\n' "$*"; }
progress() {
    step=$((step + 1))
    printf '[%d/%d] %s (%ds)\n' "$step" "$steps" "$*" "$((SECONDS - started))"
}
die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 2
}
usage() {
    say "usage: images/build.sh tree|image ROLE [OUT]   (ROLE: ${roles[*]})"
    exit 2
}

# A module's variable by its suffix: var KIOSK EXTRA -> $MOTCUA_KIOSK_EXTRA.
var() {
    local name="MOTCUA_$1_$2"
    printf '%s' "${!name-}"
}

# Lines of a package list without comments and blank lines.
packages_of() {
    [[ -f "$1" ]] || return 0
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"
}

# `systemctl enable` as a symlink: UNIT:TARGET pairs.
enable_units() {
    local rootfs=$1 pair unit target source
    shift
    for pair in "$@"; do
        unit=${pair%%:*}
        target=${pair#*:}
        source=/etc/systemd/system/$unit
        [[ -f "$rootfs$source" ]] || die "cannot enable $unit: no $source in the tree"
        mkdir -p "$rootfs/etc/systemd/system/$target.wants"
        ln -sfn "$source" "$rootfs/etc/systemd/system/$target.wants/$unit"
        say "      enabled $unit ($target)"
    done
}

build_tree() {
    local role=$1 out=$2 upper
    upper=${role^^}
    local rootfs=$out/rootfs boot=$out/boot

    progress "modules: common + $role"
    # shellcheck source=common/config
    source "$here/common/config"
    # shellcheck source=/dev/null
    source "$here/$role/config"
    say "      extra [$(var "$upper" EXTRA)], unit $(var "$upper" UNIT), base $(var BASE DISTRIBUTION)/$(var BASE ARCH)"

    progress "overlays into $out"
    rm -rf "$out"
    mkdir -p "$rootfs" "$boot"
    cp -a "$here/common/filesystem/root/." "$rootfs/"
    cp -a "$here/$role/filesystem/root/." "$rootfs/"
    cp -a "$here/common/filesystem/boot/." "$boot/"
    if [[ -d "$here/$role/filesystem/boot" ]]; then
        cp -a "$here/$role/filesystem/boot/." "$boot/"
    fi
    # sudo reads only files no one else can write; git keeps 0644 at best
    chmod 0440 "$rootfs"/etc/sudoers.d/*
    say "      $(find "$rootfs" "$boot" -type f | wc -l) files"

    progress "time zone, units"
    local zone
    zone=$(var BASE TIMEZONE)
    printf '%s\n' "$zone" >"$rootfs/etc/timezone"
    ln -sfn "/usr/share/zoneinfo/$zone" "$rootfs/etc/localtime"
    # shellcheck disable=SC2046  # the lists are space-separated on purpose
    enable_units "$rootfs" $(var BASE ENABLE) $(var "$upper" ENABLE)
    local unit
    for unit in $(var BASE DISABLE); do
        say "      disabled $unit (removed from every .wants)"
        find "$rootfs/etc/systemd/system" -path "*.wants/$unit" -delete
    done
    # Debian's raspi-firmware writes cmdline.txt again at every kernel or initramfs update, from
    # /etc/default/raspi-firmware and this file: what the image adds must be here to last.
    mkdir -p "$rootfs/etc/default"
    printf '%s ds=nocloud;s=file:///boot/firmware/\n' "$(var BASE CMDLINE)" \
        >"$rootfs/etc/default/raspi-extra-cmdline"

    progress "package list"
    {
        packages_of "$here/common/packages"
        if [[ "$(var "$upper" APPLIANCE)" == yes ]]; then
            packages_of "$here/common/appliance-packages"
        fi
        packages_of "$here/$role/packages"
    } | awk '!seen[$0]++' >"$out/packages.txt"
    if [[ "$role" == hub ]]; then  # chrony serves time on the hub; timesyncd would fight it
        sed -i '/^systemd-timesyncd$/d' "$out/packages.txt"
    fi
    say "      $(wc -l <"$out/packages.txt") packages"

    local prefix
    prefix=$rootfs$(var BASE PREFIX)
    mkdir -p "$prefix/wheels"
    printf 'MOTCUA_ROLE=%s\nMOTCUA_EXTRA=%s\nMOTCUA_UNIT=%s\nMOTCUA_APPLIANCE=%s\n' \
        "$role" "$(var "$upper" EXTRA)" "$(var "$upper" UNIT)" \
        "$(var "$upper" APPLIANCE)" >"$prefix/role.env"
    cp "$project/README.md" "$prefix/README.md"
    if [[ "${MOTCUA_NO_WHEEL:-}" == 1 ]]; then
        progress "wheel: left out (MOTCUA_NO_WHEEL=1)"
    else
        progress "wheel of the project"
        "${PYTHON:-python3}" -m pip wheel --quiet --no-deps --wheel-dir "$prefix/wheels" "$project"
        say "      $(cd "$prefix/wheels" && ls)"
    fi

    progress "manifest"
    (cd "$out" && find rootfs boot \( -type f -o -type l \) | sort) >"$out/manifest.txt"
    say "      $(wc -l <"$out/manifest.txt") entries, $(du -sh "$out" | cut -f1) in $out"
    say "done: $role tree in $((SECONDS - started)) s"
}

[[ $# -ge 2 ]] || usage
command=$1
role=$2
[[ " ${roles[*]} " == *" $role "* ]] || die "unknown role '$role' (one of: ${roles[*]})"
out=${3:-$project/build/images/$role}
case "$command" in
    tree) build_tree "$role" "$out" ;;
    image) exec "$here/image.sh" "$role" "$out" ;;
    *) usage ;;
esac
