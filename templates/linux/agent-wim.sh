# capmedia capture agent: Windows volumes into one standard WIM (what DISM,
# Windows Setup and Configuration Manager deploy). Sourced by agent.sh.
#
# wimlib reads an unmounted NTFS volume directly (NTFS-3G mode) and keeps
# security descriptors, named streams, reparse points, short names and hard
# links. It does not refuse volumes it cannot capture consistently, so
# plan_wim does, before anything is written.
#
# Files destinations get one WIM written in place (capture, then append per
# volume), re-read after dropping the page cache (sha256, wimlib-imagex
# verify) and, with split, cut into .swm parts. http(s) destinations get one
# pipable WIM stream per volume (a non-pipable WIM needs to seek); `capmedia
# image convert` joins them into a standard WIM on the receiving side.

PROC_MOUNTS=${CAPMEDIA_PROC_MOUNTS:-/proc/mounts}
WIM_SRC_MOUNT=/mnt/wim-source
# Microsoft's default exclusions (DISM's WimScript.ini); the step's patterns are added.
WIM_DEFAULT_EXCLUSIONS='\$ntfs.log|\hiberfil.sys|\pagefile.sys|\swapfile.sys|\System Volume Information|\RECYCLER|\$Recycle.Bin|\Windows\CSC'

load_wim_options() {
  WIM_FORMAT=$(var "CAPMEDIA_TS_STEP_$1_FORMAT")
  WIM_FORMAT=${WIM_FORMAT:-auto}
  WIM_COMPRESSION=$(var "CAPMEDIA_TS_STEP_$1_WIM_COMPRESSION")
  WIM_EXCLUDE=$(var "CAPMEDIA_TS_STEP_$1_EXCLUDE")
  WIM_EXCEPTIONS=$(var "CAPMEDIA_TS_STEP_$1_EXCLUDE_EXCEPTIONS")
  WIM_SPLIT_MIB=$(var "CAPMEDIA_TS_STEP_$1_SPLIT_MIB")
}

# Chooses the volumes of disk $1 (partitions $2, empty: all) that go into the
# WIM and refuses unsafe ones. Writes $WORK/wim-volumes, in partition order:
# "number name start-sector size-sectors fs".
plan_wim() {
  : >"$WORK/wim-volumes"
  WINDOWS_PART=""
  [ "$WIM_FORMAT" = raw ] && return 0
  list_partitions "$1" >"$WORK/wim-candidates"
  while read -r number name start size; do
    [ -z "$2" ] || echo " $2 " | grep -q " $number " || continue
    fs=$(fs_type "$DEV/$name")
    refuse_unsafe_volume "$number" "$name" "$fs" </dev/null || return 1
    case "$fs" in
      ntfs) ;;
      ext | vfat) [ "$WIM_FORMAT" = wim ] || continue ;;
      *) continue ;;
    esac
    echo "$number $name $start $size $fs" >>"$WORK/wim-volumes"
  done <"$WORK/wim-candidates"
  pick_windows_volume
}

is_wim_volume() {
  grep -q "^$1 " "$WORK/wim-volumes" 2>/dev/null
}

# $1 number $2 device name $3 file system
refuse_unsafe_volume() {
  where="partition $1 ($DEV/$2)"
  if [ "$3" = bitlocker ]; then
    fail_with "BitLocker: $where is encrypted with BitLocker, so its files cannot be read: suspend or decrypt BitLocker first (in Windows: manage-bde -off C:), then capture again"
    return 1
  fi
  mounted_at=$(awk -v dev="$DEV/$2" '$1 == dev && $4 ~ /(^|,)rw(,|$)/ { print $2; exit }' "$PROC_MOUNTS" 2>/dev/null)
  if [ -n "$mounted_at" ]; then
    fail_with "mounted read-write: $where is mounted read-write at $mounted_at, so it can change while it is read: unmount it or mount it read-only, then capture again"
    return 1
  fi
  [ "$3" = ntfs ] || return 0
  # Windows writes "hibr" (hibernation) or "wake" (Fast Startup) at the start of hiberfil.sys, in either case.
  magic=$(ntfscat "$DEV/$2" hiberfil.sys 2>/dev/null | dd bs=4 count=1 2>/dev/null | tr 'A-Z' 'a-z')
  case "$magic" in
    hibr | wake)
      fail_with "hibernated: $where holds a hibernated Windows (hibernation or Fast Startup), whose files on disk are not consistent: shut Windows down fully (shutdown /s /f /t 0) or turn Fast Startup off, then capture again"
      return 1
      ;;
  esac
  # -f: the volume is only read, and a dirty one must be opened to be reported.
  flags=$(ntfsinfo -f -m "$DEV/$2" 2>>"$WORK/errors" | sed -n 's/^[[:space:]]*Volume Flags: *0x\([0-9a-fA-F]*\).*/\1/p')
  [ -n "$flags" ] || { fail_with "cannot read the NTFS volume on $where: $(last_error)"; return 1; }
  if [ $((0x$flags & 1)) -ne 0 ]; then
    fail_with "dirty NTFS: $where is marked dirty (Windows did not finish writing to it): run chkdsk /f on it in Windows, then capture again"
    return 1
  fi
}

# The Windows volume carries the image's name: the one holding the registry, else the largest NTFS volume.
pick_windows_volume() {
  largest=0
  fallback=$(head -n 1 "$WORK/wim-volumes" | cut -d' ' -f1)
  while read -r number name start size fs; do
    [ "$fs" = ntfs ] || continue
    if ntfsinfo -F /Windows/System32/config/SOFTWARE "$DEV/$name" >/dev/null 2>&1; then
      WINDOWS_PART=$number
      return 0
    fi
    [ "$size" -gt "$largest" ] && largest=$size && fallback=$number
  done <"$WORK/wim-volumes"
  WINDOWS_PART=$fallback
}

write_wimscript() {
  printf '[ExclusionList]\n'
  printf '%s\n' "$WIM_DEFAULT_EXCLUSIONS${WIM_EXCLUDE:+|$WIM_EXCLUDE}" | tr '|' '\n'
  [ -n "$WIM_EXCEPTIONS" ] && printf '\n[ExclusionException]\n%s\n' "$WIM_EXCEPTIONS" | tr '|' '\n'
  return 0
}

# Captures every planned volume; records the WIM (or the pipable streams) as parts.
capture_wim() {
  [ -s "$WORK/wim-volumes" ] || return 0
  write_wimscript >"$WORK/wimscript.ini"
  WIM_FILE=$CAPMEDIA_TS_IMAGE_DIR.wim
  : >"$WORK/wim-images"
  index=0
  while read -r number name start size fs; do
    index=$((index + 1))
    wim_image_json "$index" "$number" "$name" "$start" "$size" "$fs" >"$WORK/wim-image"
    if [ "$CAPMEDIA_TS_DEST_KIND" = http ]; then
      stream_wim_volume "$number" "$name" "$fs" </dev/null || return 1
    else
      write_wim_volume "$index" "$number" "$name" "$fs" </dev/null || return 1
      cat "$WORK/wim-image" >>"$WORK/wim-images"
    fi
  done <"$WORK/wim-volumes"
  [ "$CAPMEDIA_TS_DEST_KIND" = http ] || finish_wim_file
}

# Names the image of volume $1 (partition number) and writes the options after source and target, one a line.
wim_arguments() {
  if [ "$1" = "$WINDOWS_PART" ]; then
    image_name=$CAPMEDIA_TS_IMAGE_NAME
    image_description=$CAPMEDIA_TS_IMAGE_DESCRIPTION
  else
    image_name="$CAPMEDIA_TS_IMAGE_NAME (partition $1)"
    image_description=""
  fi
  compress=$WIM_COMPRESSION
  [ "$compress" = none ] || compress=$(echo "$compress" | tr 'a-z' 'A-Z')
  threads=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)
  set -- --compress="$compress" --threads="${threads:-1}" --config="$WORK/wimscript.ini" --image-property "CAPMEDIA/PARTITION=$1"
  [ -n "$CAPMEDIA_TS_IMAGE_VERSION" ] && set -- "$@" --image-property "CAPMEDIA/VERSION=$CAPMEDIA_TS_IMAGE_VERSION"
  [ -n "$CAPMEDIA_TS_IMAGE_CREATED_BY" ] && set -- "$@" --image-property "CAPMEDIA/CREATEDBY=$CAPMEDIA_TS_IMAGE_CREATED_BY"
  WIM_ARGS_FILE=$WORK/wim-args
  printf '%s\n' "$@" >"$WIM_ARGS_FILE"
}

# NTFS is read from the device; other file systems (format: wim) mounted read-only, with UNIX data.
# Sets WIM_SOURCE and WIM_UNIX.
open_wim_source() {
  WIM_SOURCE=$DEV/$1
  WIM_UNIX=""
  [ "$2" = ntfs ] && return 0
  mkdir -p "$WIM_SRC_MOUNT"
  type=$2
  [ "$type" = ext ] && type=ext4
  mount -o ro -t "$type" "$DEV/$1" "$WIM_SRC_MOUNT" 2>>"$WORK/errors" ||
    { fail_with "cannot mount $DEV/$1 ($type) read-only to capture it: $(last_error)"; return 1; }
  WIM_SOURCE=$WIM_SRC_MOUNT
  WIM_UNIX=--unix-data
}

close_wim_source() {
  [ "$WIM_SOURCE" = "$WIM_SRC_MOUNT" ] && umount "$WIM_SRC_MOUNT" 2>/dev/null
  return 0
}

# Runs wimlib-imagex $1 (capture/append) from $WIM_SOURCE into $2 with the prepared arguments.
run_wimlib() {
  mode=$1
  target=$2
  set --
  while IFS= read -r argument; do set -- "$@" "$argument"; done <"$WIM_ARGS_FILE"
  # shellcheck disable=SC2086 # WIM_UNIX is one option or nothing
  wimlib-imagex "$mode" "$WIM_SOURCE" "$target" "$image_name" "$image_description" "$@" $WIM_UNIX 2>"$WORK/wimlib.err"
}

# $1 index $2 partition number $3 device name $4 fs
write_wim_volume() {
  wim_arguments "$2"
  open_wim_source "$3" "$4" || return 1
  mode=append
  [ "$1" = 1 ] && mode=capture
  progress "capturing partition $2 ($DEV/$3, $4) into $WIM_FILE as image $1 \"$image_name\" ($WIM_COMPRESSION)"
  start_ticker "$DEV/$3" "$(($(cat "$SYS_BLOCK/${SOURCE_DISK}/$3/size") * 512))" "$WIM_FILE"
  run_wimlib "$mode" "$DEST_DIR/$WIM_FILE" >"$WORK/wimlib.out"
  status=$?
  stop_ticker
  close_wim_source
  [ "$status" -eq 0 ] || { explain_wim_failure "$2"; return 1; }
  progress "partition $2 captured into $WIM_FILE"
}

# $1 partition number $2 device name $3 fs: one pipable WIM, streamed like any part.
stream_wim_volume() {
  wim_arguments "$1"
  open_wim_source "$2" "$3" || return 1
  file=part$1.wim
  progress "streaming partition $1 ($DEV/$2, $3) as the pipable WIM $file \"$image_name\" ($WIM_COMPRESSION)"
  start_ticker "$DEV/$2" "$(($(cat "$SYS_BLOCK/${SOURCE_DISK}/$2/size") * 512))" "$file"
  run_wimlib capture - | put_stream "$file"
  status=$?
  stop_ticker
  close_wim_source
  if [ "$status" -ne 0 ]; then
    if [ -s "$WORK/put.reason" ]; then explain_put_failure "$file"; else explain_wim_failure "$1"; fi
    return 1
  fi
  record_wim_part "$file" true "" "$(cat "$WORK/put.size")" "$(cat "$WORK/put.sha")" "$(sed 's/"index": [0-9]*/"index": 1/' "$WORK/wim-image")"
}

explain_wim_failure() {
  why=$(tr '\r' '\n' <"$WORK/wimlib.err" | grep -v -e '^Archiving file data' -e '^Scanning' -e '^$' | tail -n 1)
  if grep -q 'File too large' "$WORK/wimlib.err"; then
    fail_with "WIM too large for FAT32: $WIM_FILE grew past 4 GiB, the largest file FAT32 ($DEST_DESC) can hold: capture to an exFAT, NTFS or ext4 file system, an NFS or SMB share or over http(s)${WIM_SPLIT_MIB:+ (split cuts the finished WIM, so the whole WIM must fit first)}${WIM_SPLIT_MIB:-, or set split: '3800MB'}"
  elif grep -q 'No space left' "$WORK/wimlib.err"; then
    fail_with "destination full: no space left on $DEST_DESC while writing $WIM_FILE"
  else
    fail_with "capturing partition $1 into a WIM failed: wimlib-imagex: ${why:-$(last_error)}"
  fi
}

# Cuts the WIM into .swm parts when asked, then re-reads every file from the destination.
finish_wim_file() {
  wim=$DEST_DIR/$WIM_FILE
  files=$WIM_FILE
  ref=""
  if [ -n "$WIM_SPLIT_MIB" ]; then
    stem=${WIM_FILE%.wim}
    progress "splitting $WIM_FILE into .swm parts of at most $WIM_SPLIT_MIB MiB"
    wimlib-imagex split "$wim" "$DEST_DIR/$stem.swm" "$WIM_SPLIT_MIB" >/dev/null 2>"$WORK/wimlib.err" ||
      { explain_wim_failure "(split)"; return 1; }
    rm -f "$wim"
    files=$(cd "$DEST_DIR" && ls "$stem"*.swm | sed "s/^$stem\([0-9]*\)\.swm$/\1 &/" | sort -n | cut -d' ' -f2)
    wim=$DEST_DIR/$stem.swm
    ref="--ref=$DEST_DIR/$stem*.swm"
  fi
  sync
  echo 3 >"$DROP_CACHES"
  of=$(echo "$files" | grep -c .)
  part=0
  for file in $files; do
    part=$((part + 1))
    sha=$(sha256sum "$DEST_DIR/$file" | cut -d' ' -f1)
    size=$(wc -c <"$DEST_DIR/$file" | tr -d ' ')
    split_json=null
    [ -n "$WIM_SPLIT_MIB" ] && split_json="{\"part\": $part, \"of\": $of}"
    record_wim_part "$file" false "$split_json" "$size" "$sha" "$(sed '$!s/$/,/' "$WORK/wim-images" | tr -d '\n')"
    echo "$file $sha $size" >>"$WORK/written"
    echo "$file" >>"$WORK/verified"
  done
  echo 3 >"$DROP_CACHES"
  progress "verifying $WIM_FILE on the destination (wimlib-imagex verify)"
  # shellcheck disable=SC2086 # ref is one option or nothing
  wimlib-imagex verify "$wim" $ref >/dev/null 2>"$WORK/wimlib.err" ||
    { fail_with "verification failed: wimlib-imagex verify of $WIM_FILE on $DEST_DESC: $(tr '\r' '\n' <"$WORK/wimlib.err" | grep -v '^$' | tail -n 1)"; return 1; }
  progress "verified $WIM_FILE ($of file(s)) on the destination"
}

# $1 index $2 number $3 device name $4 start sector $5 size in sectors $6 fs
wim_image_json() {
  if [ "$2" = "$WINDOWS_PART" ]; then
    name_json=$CAPMEDIA_TS_IMAGE_NAME_JSON
    description_json=$CAPMEDIA_TS_IMAGE_DESCRIPTION_JSON
    windows=true
  else
    name_json="${CAPMEDIA_TS_IMAGE_NAME_JSON%\"} (partition $2)\""
    description_json='""'
    windows=false
  fi
  printf '{"index": %s, "name": %s, "description": %s, "partition": %s, "device": "/dev/%s", "offset": %s, "bytes": %s, "filesystem": "%s", "windows": %s}\n' \
    "$1" "$name_json" "$description_json" "$2" "$3" $(($4 * 512)) $(($5 * 512)) "$6" "$windows"
}

# $1 file $2 pipable $3 split (JSON or empty) $4 size $5 sha256 $6 images (JSON objects, comma-separated)
record_wim_part() {
  printf '{"file": "%s", "kind": "wim", "pipable": %s, "compression": "%s", "split": %s, "size": %s, "sha256": "%s", "images": [%s]}\n' \
    "$1" "$2" "$WIM_COMPRESSION" "${3:-null}" "$4" "$5" "$6" >>"$WORK/parts"
}
