# capmedia capture agent: streaming a disk into image parts and the manifest.
# Sourced by agent.sh (busybox sh). Nothing is staged locally: every part
# goes reader | zstd | destination in one pipeline, hashed on the way.
#
# Image folder (format "capmedia-image", version 2):
#   disk.sfdisk      partition table (sfdisk --dump), when the disk has one
#   head.img.zst     whole-disk captures: the bytes before the first partition
#                    (boot code, the primary partition table)
#   part<N>.img.zst  partition N (volumes that go into the WIM are not here)
#   <image>.wim      NTFS volumes (format wim: every volume) as one standard WIM,
#                    or <image>.swm, <image>2.swm … when split (agent-wim.sh);
#   part<N>.wim      http(s): one pipable WIM per volume
#   disk.img.zst     a disk without a partition table, whole
#   manifest.json    written last: sizes and sha256 of every part

# Captures disk $1; $2 = partition numbers to capture (empty: the whole disk); $3 = zstd level.
capture_disk() {
  LEVEL=${3:-3}
  : >"$WORK/parts"
  sfdisk --dump "$DEV/$1" >"$WORK/disk.sfdisk" 2>"$WORK/sfdisk.err"
  sfdisk_status=$?
  # A file system on the whole disk (a "superfloppy") can look like an empty DOS table.
  if [ "$sfdisk_status" -eq 0 ] && ! grep -q ' : start=' "$WORK/disk.sfdisk"; then
    echo 'does not contain a recognized partition table' >"$WORK/sfdisk.err"
    sfdisk_status=1
  fi
  if [ "$sfdisk_status" -eq 0 ]; then
    TABLE=$(sed -n 's/^label: *//p' "$WORK/disk.sfdisk")
    put_stream disk.sfdisk <"$WORK/disk.sfdisk" || { explain_put_failure disk.sfdisk; return 1; }
    record_part disk.sfdisk partition-table none "" "" 0 "$(cat "$WORK/put.size")" "$(cat "$WORK/put.size")" "" none
    capture_partitions "$1" "$2"
  elif grep -q 'does not contain a recognized partition table' "$WORK/sfdisk.err"; then
    TABLE=none
    CAPTURE_KIND=disk
    [ -z "$2" ] || { fail_with "$DEV/$1 has no partition table, so partitions $2 cannot be captured"; return 1; }
    capture_region disk "$1" disk.img.zst "" 0 "$(disk_bytes "$1")" raw ""
  else
    fail_with "cannot read the partition table of /dev/$1: $(tail -n 1 "$WORK/sfdisk.err")"
  fi
}

capture_partitions() {
  CAPTURE_KIND=${2:+partitions}
  CAPTURE_KIND=${CAPTURE_KIND:-disk}
  list_partitions "$1" >"$WORK/partitions"
  [ -s "$WORK/partitions" ] || { fail_with "$DEV/$1 has a partition table but no partitions"; return 1; }
  for number in $2; do
    grep -q "^$number " "$WORK/partitions" ||
      { fail_with "partition $number does not exist on $DEV/$1 (it has: $(cut -d' ' -f1 "$WORK/partitions" | tr '\n' ' '))"; return 1; }
  done
  if [ -z "$2" ]; then
    first=$(cut -d' ' -f3 "$WORK/partitions" | sort -n | head -n 1)
    capture_region head "$1" head.img.zst "" 0 $((first * 512)) raw "" || return 1
  fi
  while read -r number name start size; do
    [ -z "$2" ] || echo " $2 " | grep -q " $number " || continue
    is_wim_volume "$number" && continue
    fs=$(fs_type "$DEV/$name")
    method=raw
    [ "$fs" = ext ] && method=e2image
    capture_region partition "$name" "part$number.img.zst" "$number" $((start * 512)) $((size * 512)) "$method" "$fs" </dev/null || return 1
  done <"$WORK/partitions"
}

# $1 kind  $2 device name  $3 file  $4 partition number  $5 offset  $6 bytes  $7 method  $8 file system
capture_region() {
  device=$DEV/$2
  progress "reading $device ($1, $(($6 / 1048576)) MiB, ${8:-no file system}, $7) into $3"
  rm -f "$WORK/raw.fifo"
  mkfifo "$WORK/raw.fifo"
  wc -c <"$WORK/raw.fifo" | tr -d ' ' >"$WORK/raw.count" &
  counter=$!
  start_ticker "$device" "$6" "$3"
  read_region "$device" "$1" "$6" "$7" 2>>"$WORK/errors" | tee "$WORK/raw.fifo" |
    zstd -q -c -T0 "-$LEVEL" 2>>"$WORK/errors" | put_stream "$3"
  status=$?
  stop_ticker
  wait "$counter"
  [ "$status" -eq 0 ] || { explain_put_failure "$3"; return 1; }
  raw=$(cat "$WORK/raw.count")
  if [ "$raw" -gt "$6" ] || { [ "$7" = raw ] && [ "$raw" -ne "$6" ]; }; then
    fail_with "read $raw bytes from $device, expected $6: the disk changed or could not be read"
    return 1
  fi
  record_part "$3" "$1" zstd "$4" "$2" "$5" "$6" "$raw" "$8" "$7"
  progress "$3 done: $(($6 / 1048576)) MiB stored in $(($(cat "$WORK/put.size") / 1048576)) MiB"
}

read_region() {
  case "$4" in
    e2image) e2image -ra "$1" - ;;
    *) if [ "$2" = head ]; then dd if="$1" bs=512 count=$(($3 / 512)); else dd if="$1" bs=1M; fi ;;
  esac
}

# Prints how far the reader got every 5 s (from the I/O counters of whoever reads $1).
start_ticker() {
  (
    while sleep 5; do
      for fd in /proc/[0-9]*/fd/*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
        pid=${fd#/proc/}
        # Bytes the reader read so far; e2image reads with pread, which moves no file position.
        done_bytes=$(sed -n 's/^rchar: *//p' "/proc/${pid%%/*}/io" 2>/dev/null)
        [ -n "$done_bytes" ] && progress "$3: $((done_bytes / 1048576)) of $(($2 / 1048576)) MiB read"
        break
      done
    done
  ) &
  TICKER=$!
}

stop_ticker() {
  kill "$TICKER" 2>/dev/null
  wait "$TICKER" 2>/dev/null
}

# One JSON object per part, completed with the size and hash put_stream measured.
# $1 file $2 kind $3 compression $4 number $5 device $6 offset $7 bytes $8 raw bytes $9 fs ${10} method
record_part() {
  printf '{"file": "%s", "kind": "%s", "compression": "%s", "partition": %s, "device": "%s", "offset": %s, "bytes": %s, "rawBytes": %s, "filesystem": "%s", "method": "%s", "size": %s, "sha256": "%s"}\n' \
    "$1" "$2" "$3" "${4:-null}" "${5:+/dev/$5}" "$6" "$7" "$8" "$9" "${10}" "$(cat "$WORK/put.size")" "$(cat "$WORK/put.sha")" >>"$WORK/parts"
}

write_manifest() {
  printf '{\n  "format": "capmedia-image",\n  "formatVersion": 2,\n'
  printf '  "image": %s,\n  "taskSequence": %s,\n' "$CAPMEDIA_TS_IMAGE_JSON" "$CAPMEDIA_TS_NAME_JSON"
  printf '  "createdAt": "%s",\n  "capture": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$CAPTURE_KIND"
  printf '  "source": {"device": "/dev/%s", "model": "%s", "serial": "%s", "bytes": %s, "logicalSectorSize": %s, "partitionTable": "%s"},\n' \
    "$1" "$(disk_model "$1")" "$(disk_serial "$1")" "$(disk_bytes "$1")" "$(cat "$SYS_BLOCK/$1/queue/logical_block_size" 2>/dev/null || echo 512)" "$TABLE"
  printf '  "parts": [\n'
  sed '$!s/$/,/; s/^/    /' "$WORK/parts"
  printf '  ]\n}\n'
}
