# capmedia capture agent: where images go. Sourced by agent.sh (busybox sh).
#
# Two kinds of destination behind one interface:
#   files: disk:<LABEL>[/path], nfs://host/export, smb://host/share[/path]
#          (NFS and SMB through the kernel's own clients, which want the
#          server's address: busybox mount has no NFS or CIFS helpers)
#          (mounted at /mnt/dest; an image is written into .<folder>.partial
#          and renamed to <folder> once verified: a folder with the final name
#          is always complete)
#   http:  http(s)://host[:port]/path — WebDAV MKCOL + PUT, re-read with GET;
#          manifest.json, uploaded last, marks a complete image
# Interface: dest_open, dest_begin <folder>, dest_write <file> (stdin),
# dest_read <file> (stdout), dest_commit <folder>, dest_abort, dest_close,
# dest_location <folder>.

DEST_MOUNT=/mnt/dest
DEST_WAIT_SECONDS=${CAPMEDIA_DEST_WAIT_SECONDS:-15}
# Re-reads must come from the disk, not the page cache (overridable for tests on a build machine).
DROP_CACHES=${CAPMEDIA_DROP_CACHES:-/proc/sys/vm/drop_caches}

. "$AGENT_DIR/agent-net.sh"

dest_open() {
  case "$CAPMEDIA_TS_DEST_KIND" in
    disk) open_disk_destination ;;
    http) net_up && resolve_credentials "$CAPMEDIA_TS_DEST_URL" && write_curl_config ;;
    nfs) net_up && resolve_host "$CAPMEDIA_TS_DEST_HOST" &&
      mount_network_share nfs "$CAPMEDIA_TS_DEST_HOST:$CAPMEDIA_TS_DEST_SHARE" "vers=3,proto=tcp,nolock,addr=$HOST_IP" ;;
    smb) net_up && resolve_host "$CAPMEDIA_TS_DEST_HOST" && resolve_credentials "//$CAPMEDIA_TS_DEST_HOST/$CAPMEDIA_TS_DEST_SHARE" &&
      mount_network_share cifs "//$CAPMEDIA_TS_DEST_HOST/$CAPMEDIA_TS_DEST_SHARE" "$(cifs_options),ip=$HOST_IP" ;;
    *) fail_with "unknown destination kind '$CAPMEDIA_TS_DEST_KIND'" ;;
  esac
}

# Waits for a file system with the label (USB disks appear late), then mounts it.
open_disk_destination() {
  label=$CAPMEDIA_TS_DEST_LABEL
  waited=0
  until DEST_DEVICE=$(findfs "LABEL=$label" 2>/dev/null) && [ -n "$DEST_DEVICE" ]; do
    if [ "$waited" -ge "$DEST_WAIT_SECONDS" ]; then
      fail_with "destination disk missing: no file system labelled $label appeared within $DEST_WAIT_SECONDS s"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  DEST_DISK=$(disk_of "$DEST_DEVICE")
  mkdir -p "$DEST_MOUNT"
  mount -o rw "$DEST_DEVICE" "$DEST_MOUNT" 2>>"$WORK/errors" ||
    { fail_with "cannot mount the destination $DEST_DEVICE (label $label) read-write: $(last_error)"; return 1; }
  DEST_MOUNTED=1
  # FAT32 holds no file of 4 GiB or more: a WIM that grows past it is explained by name.
  DEST_FS=$(awk -v at="$DEST_MOUNT" '$2 == at { print $3 }' /proc/mounts | tail -n 1)
  set_dest_root "the disk labelled $label ($DEST_DEVICE${DEST_FS:+, $DEST_FS})"
}

mount_network_share() {
  mkdir -p "$DEST_MOUNT"
  mount -t "$1" -o "$3" "$2" "$DEST_MOUNT" 2>>"$WORK/errors" ||
    { fail_with "cannot mount $2 ($1): $(last_error)"; return 1; }
  DEST_MOUNTED=1
  set_dest_root "$2"
}

set_dest_root() {
  DEST_DESC="$1"
  DEST_ROOT=$DEST_MOUNT${CAPMEDIA_TS_DEST_PATH:+/$CAPMEDIA_TS_DEST_PATH}
  mkdir -p "$DEST_ROOT" 2>>"$WORK/errors" || fail_with "cannot create $CAPMEDIA_TS_DEST_PATH on $DEST_DESC: $(last_error)"
}

dest_begin() {
  : >"$WORK/written"
  : >"$WORK/verified"
  if [ "$CAPMEDIA_TS_DEST_KIND" = http ]; then
    DEST_FOLDER_URL="$CAPMEDIA_TS_DEST_URL/$1"
    http_make_collections "$1"
    return
  fi
  [ ! -e "$DEST_ROOT/$1" ] || { fail_with "$DEST_DESC already holds an image $1"; return 1; }
  DEST_DIR="$DEST_ROOT/.$1.partial"
  mkdir -p "$DEST_DIR" 2>>"$WORK/errors" || { fail_with "cannot create a folder on $DEST_DESC: $(last_error)"; return 1; }
}

dest_write() {
  if [ "$CAPMEDIA_TS_DEST_KIND" = http ]; then
    http_put "$1"
    return
  fi
  cat >"$DEST_DIR/$1" 2>>"$WORK/errors" && return 0
  echo "writing $1 to $DEST_DESC failed: $(last_error)" >"$WORK/put.reason"
  return 1
}

dest_read() {
  if [ "$CAPMEDIA_TS_DEST_KIND" = http ]; then
    curl -sS -f -K "$WORK/curl.cfg" "$DEST_FOLDER_URL/$1" 2>>"$WORK/errors"
  else
    cat "$DEST_DIR/$1"
  fi
}

dest_commit() {
  [ "$CAPMEDIA_TS_DEST_KIND" = http ] && return 0
  mv "$DEST_DIR" "$DEST_ROOT/$1" 2>>"$WORK/errors" || { fail_with "cannot rename the finished image on $DEST_DESC: $(last_error)"; return 1; }
  DEST_DIR=""
  sync
}

# Removes what the failed step wrote; a half image must never look like one.
dest_abort() {
  if [ "$CAPMEDIA_TS_DEST_KIND" = http ]; then
    [ -s "$WORK/written" ] || return 0
    while read -r file _; do
      curl -sS -K "$WORK/curl.cfg" -X DELETE -o /dev/null "$DEST_FOLDER_URL/$file" 2>/dev/null
    done <"$WORK/written"
    return 0
  fi
  [ -n "${DEST_DIR:-}" ] && rm -rf "$DEST_DIR"
  sync
}

# Unmounting flushes every write before anyone reads the OK marker and stops the machine.
dest_close() {
  [ -n "${DEST_MOUNTED:-}" ] || return 0
  sync
  umount "$DEST_MOUNT" 2>/dev/null || umount -l "$DEST_MOUNT" 2>/dev/null
  DEST_MOUNTED=""
}

dest_location() {
  case "$CAPMEDIA_TS_DEST_KIND" in
    http) echo "$CAPMEDIA_TS_DEST_URL/$1" ;;
    *) echo "$CAPMEDIA_TS_DESTINATION/$1" ;;
  esac
}

# Stores stdin at the destination as $1; put.sha and put.size say what was sent.
put_stream() {
  rm -f "$WORK/sha.fifo" "$WORK/size.fifo" "$WORK/put.reason" "$WORK/put.sha" "$WORK/put.size"
  mkfifo "$WORK/sha.fifo" "$WORK/size.fifo"
  sha256sum <"$WORK/sha.fifo" | cut -d' ' -f1 >"$WORK/put.sha" &
  hasher=$!
  wc -c <"$WORK/size.fifo" | tr -d ' ' >"$WORK/put.size" &
  sizer=$!
  tee "$WORK/sha.fifo" "$WORK/size.fifo" | dest_write "$1"
  put_status=$?
  wait "$hasher"
  wait "$sizer"
  [ "$put_status" -eq 0 ] && echo "$1 $(cat "$WORK/put.sha") $(cat "$WORK/put.size")" >>"$WORK/written"
  return "$put_status"
}

explain_put_failure() {
  if grep -q 'No space left' "$WORK/errors" 2>/dev/null; then
    fail_with "destination full: no space left on $DEST_DESC while writing $1"
  elif [ -s "$WORK/put.reason" ]; then
    fail_with "$(cat "$WORK/put.reason")"
  else
    fail_with "capturing $1 failed: $(last_error)"
  fi
}

# Re-reads every part written since the last call from the destination and compares hashes.
verify_written() {
  [ "$CAPMEDIA_TS_DEST_KIND" = http ] || { sync; echo 3 >"$DROP_CACHES"; }
  while read -r file sha size; do
    grep -qx "$file" "$WORK/verified" && continue
    again=$(dest_read "$file" </dev/null | sha256sum | cut -d' ' -f1)
    [ "$again" = "$sha" ] || { fail_with "verification failed: $file on $DEST_DESC reads back with sha256 $again, not $sha"; return 1; }
    echo "$file" >>"$WORK/verified"
    progress "verified $file ($size bytes) on the destination"
  done <"$WORK/written"
}
