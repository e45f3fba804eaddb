#!/usr/bin/env bash
# shellcheck shell=bash
# Sourced by image/enrol and image/make-bundle: what goes into a root slot (root-a, root-b),
# made the same way for the first flash and for every bundle, so the two never differ.

# The system version of a tree (image/build writes it; make-bundle's --version replaces it):
# the string the bundle carries and the heartbeat shows.
slot_version_file=usr/lib/complaint-kiosk/system-version

# slot_tree_prepare TREE [VERSION]: turns a copy of the built tree into a slot's content, in
# place: /var empty (its own partition: in a slot it is only a mount point), and VERSION, when
# given, as its system version. Call on a copy, never on image/out/rootfs.
slot_tree_prepare() {
  local tree=$1 version=${2:-}
  find "$tree/var" -mindepth 1 -delete
  [ -z "$version" ] || printf '%s\n' "$version" >"$tree/$slot_version_file"
}

# slot_image TREE OUT.ext4: the slot's ext4 file system with TREE's content, 20 % + 128 MiB of
# room, the ext4 read-only feature set (a slot is never mounted writable by accident; RAUC
# writes it as a whole, to the block device).
slot_image() {
  local tree=$1 out=$2 mib
  mib=$(($(du -sm "$tree" | cut -f1) * 12 / 10 + 128))
  rm -f "$out"
  mkfs.ext4 -q -L kiosk-root -d "$tree" "$out" "${mib}M" >/dev/null
  tune2fs -O read-only "$out" >/dev/null
}

# slot_version REPO: the default system version: the project's version and the build's time
# (UTC), e.g. 0.1.0+20261203.0915. The heartbeat shows it; RAUC keeps it per slot.
slot_version() {
  local version
  version=$(sed -n 's/^project([^ ]* VERSION \([0-9.]*\).*/\1/p' "$1/CMakeLists.txt" | head -n 1)
  printf '%s+%s\n' "${version:-0}" "$(date -u +%Y%m%d.%H%M)"
}
