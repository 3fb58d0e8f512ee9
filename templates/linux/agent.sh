#!/bin/sh
# capmedia capture agent: runs the task sequence's steps (busybox sh).
#
# /init starts it with the medium mounted at $CAPMEDIA_MEDIA_DIR. Lines on the
# console starting with CAPMEDIA- are a contract (tests, `capmedia boot`):
#   CAPMEDIA-CAPTURE-START step=<n> source=/dev/<disk> image=<folder>
#   CAPMEDIA-PROGRESS ...                 human-readable progress
#   CAPMEDIA-CAPTURE-VERIFIED image=...   every part re-read from the destination
#   CAPMEDIA-CAPTURE-OK images=<where>    every step succeeded and was committed
#   CAPMEDIA-CAPTURE-FAILED <reason>      any error; printed after cleaning up,
#                                         so nothing that verifies is left behind
# Exits 0 on success, 1 on failure; /init then runs "after" or "onFailure".
#
# Secrets (the destination password) never reach the console or a command
# line: curl reads them from a config file under $WORK, which is in RAM.

PATH=${CAPMEDIA_PATH:-/usr/bin:/usr/sbin:/bin:/sbin}
export PATH
AGENT_DIR=${CAPMEDIA_AGENT_DIR:-/capmedia}
WORK=${CAPMEDIA_WORK_DIR:-/run/capmedia}
VARS_FILE=${CAPMEDIA_VARS_FILE:-$CAPMEDIA_MEDIA_DIR/SMS/data/TaskSequence.vars}
# The programs busybox lacks travel beside the kernel; empty: they are installed already.
TOOLS_ARCHIVE=${CAPMEDIA_TOOLS_ARCHIVE-$CAPMEDIA_MEDIA_DIR/boot/capmedia-tools.cpio.gz}
AGENT_MODULES=/etc/capmedia/agent-modules
SUPPORTED_VERSION=2
REASON=""
IMAGES=""

# A failing reader, compressor or writer anywhere in a capture pipeline must fail it.
set -o pipefail

say() {
  echo "$*"
  [ -c /dev/tty1 ] && echo "$*" >/dev/tty1 2>/dev/null
  return 0
}

progress() {
  say "CAPMEDIA-PROGRESS [$(cut -d' ' -f1 /proc/uptime 2>/dev/null)s] $*"
}

# Records why the current operation failed; callers pass the status on.
fail_with() {
  REASON="$*"
  return 1
}

# The last line a tool wrote to the error log, for failure reasons.
last_error() {
  grep -v -e '^e2image [0-9]' -e 'records in$' -e 'records out$' -e 'bytes .* copied' -e '^$' "$WORK/errors" 2>/dev/null | tail -n 1
}

. "$AGENT_DIR/agent-disk.sh"
. "$AGENT_DIR/agent-capture.sh"
. "$AGENT_DIR/agent-dest.sh"
. "$AGENT_DIR/agent-wim.sh"

var() {
  eval "printf '%s' \"\${$1:-}\""
}

run_step() {
  step_type=$(var "CAPMEDIA_TS_STEP_$1_TYPE")
  case "$step_type" in
    capture-disk) capture_disk_step "$1" ;;
    *) fail_with "step $1 has type '$step_type', which this boot image cannot run" ;;
  esac
}

run_steps() {
  step=1
  while [ "$step" -le "$CAPMEDIA_TS_STEPS" ]; do
    run_step "$step" || return 1
    step=$((step + 1))
  done
}

# One image folder per step: <image>-<version>-<UTC time>[-step<n>].
image_folder() {
  folder="$CAPMEDIA_TS_IMAGE_DIR-$STAMP"
  [ "$CAPMEDIA_TS_STEPS" -gt 1 ] && folder="$folder-step$1"
  echo "$folder"
}

capture_disk_step() {
  select_source_disk "$1" || return 1
  load_wim_options "$1"
  # Refusals (hibernated, BitLocker, dirty, mounted read-write) come before anything is written.
  plan_wim "$SOURCE_DISK" "$(var "CAPMEDIA_TS_STEP_$1_PARTITIONS")" || return 1
  folder=$(image_folder "$1")
  say "CAPMEDIA-CAPTURE-START step=$1 source=/dev/$SOURCE_DISK image=$folder"
  dest_begin "$folder" || return 1
  capture_disk "$SOURCE_DISK" "$(var "CAPMEDIA_TS_STEP_$1_PARTITIONS")" "$(var "CAPMEDIA_TS_STEP_$1_LEVEL")" || return 1
  capture_wim || return 1
  verify_written || return 1
  write_manifest "$SOURCE_DISK" >"$WORK/manifest.json" || fail_with "cannot write the manifest in $WORK" || return 1
  put_stream manifest.json <"$WORK/manifest.json" || return 1
  verify_written || return 1
  dest_commit "$folder" || return 1
  say "CAPMEDIA-CAPTURE-VERIFIED image=$(dest_location "$folder")"
  IMAGES="${IMAGES:+$IMAGES,}$(dest_location "$folder")"
}

# Unpacks zstd, sfdisk, e2image, curl, wimlib-imagex, ntfscat/ntfsinfo and their libraries into / and loads
# the network file system modules. The kernel reads the medium far faster
# than firmware loads an initramfs, so these stay out of it.
install_tools() {
  [ -n "$TOOLS_ARCHIVE" ] || return 0
  [ -r "$TOOLS_ARCHIVE" ] || { fail_with "the boot medium lacks ${TOOLS_ARCHIVE#"$CAPMEDIA_MEDIA_DIR"/} (the capture tools): rebuild the media with a current boot image"; return 1; }
  progress "installing the capture tools from the medium"
  (cd / && zcat "$TOOLS_ARCHIVE" | cpio -i -d -u 2>>"$WORK/errors") ||
    { fail_with "cannot unpack the capture tools: $(last_error)"; return 1; }
  kver=$(uname -r)
  while read -r module; do
    grep -q "^$(basename "$module" .ko | tr - _) " /proc/modules || insmod "/lib/modules/$kver/$module" 2>>"$WORK/errors"
  done <"$AGENT_MODULES"
  return 0
}

load_task_sequence() {
  [ -r "$VARS_FILE" ] || fail_with "the task sequence $VARS_FILE cannot be read" || return 1
  . "$VARS_FILE"
  [ "$CAPMEDIA_TS_VERSION" = "$SUPPORTED_VERSION" ] ||
    fail_with "the task sequence has version ${CAPMEDIA_TS_VERSION:-none}; this boot image runs version $SUPPORTED_VERSION: rebuild the media with the same capmedia" || return 1
  [ "${CAPMEDIA_TS_STEPS:-0}" -gt 0 ] 2>/dev/null || fail_with "the task sequence has no steps"
}

main() {
  umask 077
  rm -rf "$WORK"
  mkdir -p "$WORK" || { say "CAPMEDIA-CAPTURE-FAILED cannot create $WORK"; exit 1; }
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)
  if load_task_sequence && install_tools && dest_open && run_steps; then
    dest_close
    say "CAPMEDIA-CAPTURE-OK images=$IMAGES"
    exit 0
  fi
  # Clean up before the marker: whoever watches for it may stop the machine at once.
  dest_abort
  dest_close
  say "CAPMEDIA-CAPTURE-FAILED $(printf '%s' "${REASON:-unknown error}" | tr '\n' ' ')"
  exit 1
}

[ -n "$CAPMEDIA_AGENT_LIBRARY_ONLY" ] || main "$@"
