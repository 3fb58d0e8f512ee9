# capmedia capture agent: choosing the disk to capture and reading it.
# Sourced by agent.sh (busybox sh); uses put_stream from agent-dest.sh.
#
# A captured disk is: the partition table as an sfdisk dump, then each
# region (the boot area before the first partition, each partition) as one
# zstd stream. ext2/3/4 partitions are read with e2image, which reads only
# used blocks and sends zeros for the rest; anything else is read raw.

DISK_WAIT_SECONDS=${CAPMEDIA_DISK_WAIT_SECONDS:-10}
# Overridable so the capture can be exercised on a build machine against image files.
SYS_BLOCK=${CAPMEDIA_SYS_BLOCK:-/sys/block}
DEV=${CAPMEDIA_DEV_DIR:-/dev}

# Keeps what is safe inside a JSON string and readable on the console.
clean_text() {
  tr -cd 'A-Za-z0-9 ._:/+-' | sed 's/^ *//; s/ *$//'
}

# Whole disks by name (vda, sda, nvme0n1); CD drives, loops and RAM disks are never captured.
list_disks() {
  for entry in "$SYS_BLOCK"/*; do
    name=${entry##*/}
    case "$name" in loop* | ram* | sr* | zram* | fd* | dm-* | md* | nbd*) continue ;; esac
    [ "$(cat "$entry/size" 2>/dev/null || echo 0)" -gt 0 ] && echo "$name"
  done
}

# The whole disk a block device belongs to: sda1 -> sda, nvme0n1p2 -> nvme0n1.
disk_of() {
  name=${1#/dev/}
  if [ -f "/sys/class/block/$name/partition" ]; then
    parent=$(readlink -f "/sys/class/block/$name/..")
    echo "${parent##*/}"
  else
    echo "$name"
  fi
}

disk_bytes() {
  echo $(($(cat "$SYS_BLOCK/$1/size") * 512))
}

disk_model() {
  [ -r "$SYS_BLOCK/$1/device/model" ] && clean_text <"$SYS_BLOCK/$1/device/model"
  return 0
}

# virtio and NVMe disks say their serial in sysfs; SCSI/SATA ones in VPD page 0x80 (4-byte header).
disk_serial() {
  for file in "$SYS_BLOCK/$1/serial" "$SYS_BLOCK/$1/device/serial"; do
    [ -r "$file" ] && { clean_text <"$file"; return 0; }
  done
  [ -r "$SYS_BLOCK/$1/device/vpd_pg80" ] && dd if="$SYS_BLOCK/$1/device/vpd_pg80" bs=1 skip=4 2>/dev/null | clean_text
  return 0
}

# USB sticks and disks, card readers: not what "auto" means by the computer's own disk.
disk_is_external() {
  [ "$(cat "$SYS_BLOCK/$1/removable" 2>/dev/null)" = 1 ] && return 0
  case "$(readlink -f "$SYS_BLOCK/$1")" in */usb*) return 0 ;; esac
  return 1
}

describe_disk() {
  echo "$DEV/$1 ($(($(disk_bytes "$1") / 1048576)) MiB, model '$(disk_model "$1")', serial '$(disk_serial "$1")')"
}

# Does disk $2 match the selector of step $1? Model and serial are shell patterns.
disk_matches() {
  want_path=$(var "CAPMEDIA_TS_STEP_$1_PATH")
  want_model=$(var "CAPMEDIA_TS_STEP_$1_MODEL")
  want_serial=$(var "CAPMEDIA_TS_STEP_$1_SERIAL")
  want_min=$(var "CAPMEDIA_TS_STEP_$1_MIN_BYTES")
  want_max=$(var "CAPMEDIA_TS_STEP_$1_MAX_BYTES")
  [ -z "$want_path" ] || [ "$want_path" = "$DEV/$2" ] || return 1
  # shellcheck disable=SC2254 # the selector is a pattern on purpose
  [ -z "$want_model" ] || case "$(disk_model "$2")" in $want_model) ;; *) return 1 ;; esac
  [ -z "$want_serial" ] || case "$(disk_serial "$2")" in $want_serial) ;; *) return 1 ;; esac
  [ -z "$want_min" ] || [ "$(disk_bytes "$2")" -ge "$want_min" ] || return 1
  [ -z "$want_max" ] || [ "$(disk_bytes "$2")" -le "$want_max" ] || return 1
}

# Candidates for step $1: never the boot medium, never the destination disk.
source_candidates() {
  medium=$(disk_of "${CAPMEDIA_MEDIA_DEVICE:-none}")
  for disk in $(list_disks); do
    [ "$disk" = "$medium" ] || [ "$disk" = "${DEST_DISK:-}" ] && continue
    if [ "$(var "CAPMEDIA_TS_STEP_$1_SOURCE")" = auto ]; then
      disk_is_external "$disk" && continue
    else
      disk_matches "$1" "$disk" || continue
    fi
    echo "$disk"
  done
}

# Sets SOURCE_DISK for step $1, or fails naming every disk seen.
select_source_disk() {
  waited=0
  while :; do
    candidates=$(source_candidates "$1")
    [ -n "$candidates" ] || [ "$waited" -ge "$DISK_WAIT_SECONDS" ] || { sleep 1; waited=$((waited + 1)); continue; }
    break
  done
  count=$(echo "$candidates" | grep -c .)
  seen=$(for disk in $(list_disks); do describe_disk "$disk"; done | tr '\n' ';' | sed 's/;$//; s/;/; /g')
  what="an internal disk that is neither the boot medium nor the destination"
  [ "$(var "CAPMEDIA_TS_STEP_$1_SOURCE")" = auto ] || what="a disk matching the source of step $1"
  if [ "$count" -eq 1 ]; then
    SOURCE_DISK=$candidates
    return 0
  fi
  if [ "$count" -eq 0 ]; then
    fail_with "no source disk: found no $what (disks: ${seen:-none})"
    return 1
  fi
  fail_with "source disk is ambiguous: $count disks qualify as $what ($(echo $candidates)); choose one with steps[].source (disks: $seen)"
}

# ext2/3/4 by superblock magic (0xEF53 at byte 1080), NTFS and BitLocker by their OEM ids, FAT, else unknown: read raw.
fs_type() {
  magic=$(dd if="$1" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')
  [ "$magic" = 53ef ] && { echo ext; return; }
  [ "$(dd if="$1" bs=1 skip=3 count=4 2>/dev/null)" = NTFS ] && { echo ntfs; return; }
  [ "$(dd if="$1" bs=1 skip=3 count=8 2>/dev/null)" = -FVE-FS- ] && { echo bitlocker; return; }
  case "$(dd if="$1" bs=1 skip=82 count=5 2>/dev/null)$(dd if="$1" bs=1 skip=54 count=5 2>/dev/null)" in
    *FAT*) echo vfat ;;
    *) echo unknown ;;
  esac
}

# Partitions of disk $1 as "number name start-sector size-sectors", by number.
list_partitions() {
  for entry in "$SYS_BLOCK/$1/$1"*; do
    [ -f "$entry/partition" ] || continue
    echo "$(cat "$entry/partition") ${entry##*/} $(cat "$entry/start") $(cat "$entry/size")"
  done | sort -n
}
