#!/bin/sh
# capmedia boot image: /init of the initramfs (busybox sh).
#
# Boots a reference computer, finds the capture medium and runs its task
# sequence. The serial console lines starting with CAPMEDIA- are a contract:
# the QEMU boot tests and `capmedia boot` wait for them.
#
# Extension point: when the medium's task sequence has steps
# (CAPMEDIA_TS_STEPS > 0) and /capmedia/agent.sh exists, it runs with the
# medium mounted at $CAPMEDIA_MEDIA_DIR before the "after" action (or the
# "onFailure" action when the agent fails).

PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH

MEDIA_DIR=/mnt/media
VARS_FILE=SMS/data/TaskSequence.vars
MODULE_LIST=/etc/capmedia/modules
MEDIA_WAIT_SECONDS=15

# Markers go to the console (serial, for tests) and to the screen of a real
# machine, whose first virtual terminal is not the console here.
say() {
  echo "$*"
  [ -c /dev/tty1 ] && echo "$*" >/dev/tty1 2>/dev/null
  return 0
}

setup_base() {
  /bin/busybox --install -s
  mkdir -p /proc /sys /dev /run /tmp "$MEDIA_DIR"
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  # The kernel opened fds 0-2 before devtmpfs existed; reopen them on the
  # console chosen by the last console= argument (ttyS0 on our cmdline).
  exec </dev/console >/dev/console 2>&1
  # Lets the kernel load modules on demand (e.g. crypto for ext4) via busybox.
  echo /sbin/modprobe >/proc/sys/kernel/modprobe
}

report_firmware() {
  if [ -d /sys/firmware/efi ]; then
    say "CAPMEDIA-BOOT-OK firmware=UEFI secureboot=$(secure_boot_state)"
  else
    say "CAPMEDIA-BOOT-OK firmware=BIOS"
  fi
}

# The SecureBoot EFI variable: 4 attribute bytes, then 1 when the firmware
# enforces signatures. efivarfs is a (signed) module, loaded here because this
# runs before the module list.
secure_boot_state() {
  module=$(grep '/efivarfs\.ko$' "$MODULE_LIST")
  [ -n "$module" ] && insmod "/lib/modules/$(uname -r)/$module" 2>/dev/null
  efivars=/sys/firmware/efi/efivars
  grep -q " $efivars " /proc/mounts || mount -t efivarfs efivarfs "$efivars" 2>/dev/null
  var="$efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
  if [ -r "$var" ] && [ "$(tail -c 1 "$var" | od -An -tu1 | tr -d ' ')" = 1 ]; then
    echo on
  else
    echo off
  fi
}

# The build wrote the dependency closure in load order, so plain insmod is
# enough (busybox modprobe ignores softdeps). Failures are expected for
# CPU-specific helpers such as crc32c-intel, so they are listed, not fatal.
load_modules() {
  kver=$(uname -r)
  failed=""
  while read -r module; do
    [ -n "$module" ] || continue
    grep -q "^$(basename "$module" .ko | tr - _) " /proc/modules && continue
    insmod "/lib/modules/$kver/$module" 2>/dev/null || failed="$failed $(basename "$module" .ko)"
  done <"$MODULE_LIST"
  say "CAPMEDIA-MODULES failed=${failed# }"
}

candidate_devices() {
  for dev in /dev/sr* /dev/sd* /dev/vd* /dev/nvme*n*; do
    [ -b "$dev" ] && echo "$dev"
  done
}

# Mounts $1 read-only at $MEDIA_DIR if it holds the task sequence.
try_media() {
  for fstype in iso9660 vfat; do
    if mount -t "$fstype" -o ro "$1" "$MEDIA_DIR" 2>/dev/null; then
      [ -f "$MEDIA_DIR/$VARS_FILE" ] && return 0
      umount "$MEDIA_DIR"
    fi
  done
  return 1
}

# USB and SCSI disks appear asynchronously after their drivers load, so scan
# again each second until the deadline.
find_media() {
  waited=0
  while [ "$waited" -le "$MEDIA_WAIT_SECONDS" ]; do
    for dev in $(candidate_devices); do
      if try_media "$dev"; then
        MEDIA_DEVICE=$dev
        return 0
      fi
    done
    sleep 1
    waited=$((waited + 1))
  done
  return 1
}

run_agent() {
  [ "${CAPMEDIA_TS_STEPS:-0}" -gt 0 ] 2>/dev/null || return 0
  if [ ! -x /capmedia/agent.sh ]; then
    say "CAPMEDIA-AGENT-MISSING steps=$CAPMEDIA_TS_STEPS"
    return 1
  fi
  CAPMEDIA_MEDIA_DIR=$MEDIA_DIR CAPMEDIA_MEDIA_DEVICE=$MEDIA_DEVICE /capmedia/agent.sh
  status=$?
  say "CAPMEDIA-AGENT-EXIT code=$status"
  return "$status"
}

finish() {
  sync
  case "$1" in
    reboot) reboot -f ;;
    shell)
      say "CAPMEDIA-SHELL"
      exec setsid cttyhack sh
      ;;
    *) poweroff -f ;;
  esac
  # Only reached if the kernel refused to stop; keep PID 1 alive.
  while :; do sleep 3600; done
}

main() {
  setup_base
  report_firmware
  load_modules
  if ! find_media; then
    say "CAPMEDIA-MEDIA-NOT-FOUND"
    finish poweroff
  fi
  say "CAPMEDIA-MEDIA-FOUND device=$MEDIA_DEVICE"
  # capmedia writes every value single-quoted. A damaged file is tried in a
  # subshell first: a syntax error in `.` would end PID 1 and panic the kernel.
  if ! (. "$MEDIA_DIR/$VARS_FILE") >/dev/null 2>&1; then
    say "CAPMEDIA-TASKSEQUENCE-INVALID file=$VARS_FILE"
    finish poweroff
  fi
  . "$MEDIA_DIR/$VARS_FILE"
  export CAPMEDIA_TS_NAME CAPMEDIA_TS_AFTER CAPMEDIA_TS_VERSION CAPMEDIA_TS_STEPS
  say "CAPMEDIA-TASKSEQUENCE name=$CAPMEDIA_TS_NAME"
  if run_agent; then
    finish "${CAPMEDIA_TS_AFTER:-poweroff}"
  fi
  # onFailure defaults to "after"; "shell" lets a technician look at the machine.
  finish "${CAPMEDIA_TS_ON_FAILURE:-${CAPMEDIA_TS_AFTER:-poweroff}}"
}

main "$@"
