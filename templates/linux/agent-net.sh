# capmedia capture agent: network, credentials and HTTP. Sourced by agent-dest.sh.

NET_WAIT_SECONDS=${CAPMEDIA_NET_WAIT_SECONDS:-10}
PROMPT_TTYS=${CAPMEDIA_PROMPT_TTYS:-/dev/console /dev/tty1}

# DHCP on the first interface that gets an address.
net_up() {
  waited=0
  while :; do
    interfaces=$(ls /sys/class/net 2>/dev/null | grep -v '^lo$')
    [ -n "$interfaces" ] || [ "$waited" -ge "$NET_WAIT_SECONDS" ] || { sleep 1; waited=$((waited + 1)); continue; }
    break
  done
  [ -n "$interfaces" ] || { fail_with "network: no network interface (is the NIC driver in the boot image?)"; return 1; }
  for interface in $interfaces; do
    ip link set "$interface" up 2>/dev/null
    if udhcpc -i "$interface" -n -q -t 5 -T 2 -s "$AGENT_DIR/udhcpc.sh" >>"$WORK/network.log" 2>&1; then
      progress "network: $interface $(ip -4 addr show dev "$interface" | sed -n 's/.*inet \([0-9.\/]*\).*/\1/p' | head -n 1)"
      return 0
    fi
  done
  fail_with "network: no DHCP answer on $(echo $interfaces)"
}

# Sets HOST_IP to the IPv4 address of $1 (a literal address is taken as is).
resolve_host() {
  HOST_IP=$(echo "$1" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$')
  [ -n "$HOST_IP" ] && return 0
  HOST_IP=$(nslookup "$1" 2>/dev/null | sed -n '/^Name:/,$ s/^Address:[[:space:]]*\([0-9][0-9.]*\)$/\1/p' | head -n 1)
  [ -n "$HOST_IP" ] || fail_with "cannot resolve the destination host $1 (DNS servers: $(sed -n 's/^nameserver //p' /etc/resolv.conf 2>/dev/null | tr '\n' ' '))"
}

# Sets DEST_USER and DEST_PASSWORD for $1 (a description of the server).
resolve_credentials() {
  DEST_USER=${CAPMEDIA_TS_CRED_USERNAME:-}
  DEST_PASSWORD=""
  case "${CAPMEDIA_TS_CRED_MODE:-none}" in
    none) return 0 ;;
    embedded) DEST_PASSWORD=$CAPMEDIA_TS_CRED_PASSWORD ;;
    prompt)
      if [ -z "$DEST_USER" ]; then
        ask "User name for $1: " 0 || return 1
        DEST_USER=$ANSWER
      fi
      ask "Password for $DEST_USER at $1: " 1 || return 1
      DEST_PASSWORD=$ANSWER
      ;;
  esac
  unset CAPMEDIA_TS_CRED_PASSWORD
}

# Asks on every console at once (serial and screen); the first answer wins. Sets ANSWER.
ask() {
  rm -f "$WORK"/answer*
  readers=""
  n=0
  for tty in $PROMPT_TTYS; do
    [ -e "$tty" ] || continue
    n=$((n + 1))
    ask_on "$tty" "$1" "$2" "$n" &
    readers="$readers $!"
  done
  [ -n "$readers" ] || { fail_with "no console to ask for credentials on"; return 1; }
  while [ ! -e "$WORK/answer" ]; do
    alive=""
    for pid in $readers; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -n "$alive" ] || [ -e "$WORK/answer" ] || { fail_with "no answer to \"$1\": the consoles closed"; return 1; }
    sleep 1
  done
  kill $readers 2>/dev/null
  if [ "$2" = 1 ]; then
    for tty in $PROMPT_TTYS; do [ -c "$tty" ] && stty echo <"$tty" 2>/dev/null; done
  fi
  ANSWER=$(cat "$WORK/answer")
  rm -f "$WORK"/answer*
}

ask_on() {
  # Echo is a terminal setting: only a character device has it.
  hide=""
  [ "$3" = 1 ] && [ -c "$1" ] && hide=1
  [ -n "$hide" ] && stty -echo <"$1" 2>/dev/null
  printf '%s' "$2" >"$1"
  IFS= read -r line <"$1" || exit 1
  [ -n "$hide" ] && { stty echo <"$1" 2>/dev/null; echo >"$1"; }
  printf '%s' "$line" >"$WORK/answer.$4"
  # A hard link is atomic and fails if the name exists: only the first reader answers.
  ln "$WORK/answer.$4" "$WORK/answer" 2>/dev/null
  exit 0
}

# curl reads the secret from a file in RAM, never from its command line.
write_curl_config() {
  : >"$WORK/curl.cfg"
  [ -n "$DEST_USER" ] || return 0
  printf '%s:%s' "$DEST_USER" "$DEST_PASSWORD" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/user = "/; s/$/"/' >"$WORK/curl.cfg"
  echo >>"$WORK/curl.cfg"
}

# The kernel's cifs options; a comma inside a value is written twice.
cifs_options() {
  user=$(printf '%s' "$DEST_USER" | sed 's/,/,,/g')
  pass=$(printf '%s' "$DEST_PASSWORD" | sed 's/,/,,/g')
  if [ -n "$user" ]; then echo "username=$user,password=$pass"; else echo "guest"; fi
}

# $1 method $2 url [curl args...]: prints the HTTP status (000 when no answer).
http_request() {
  method=$1
  url=$2
  shift 2
  curl -sS -K "$WORK/curl.cfg" -X "$method" -o "$WORK/http.body" -w '%{http_code}' "$@" "$url" 2>>"$WORK/errors"
}

http_failure() { # $1 method $2 url $3 status
  case "$3" in
    000) echo "cannot reach $2: $(last_error)" ;;
    401) if [ -n "$DEST_USER" ]; then echo "HTTP 401 from $1 $2: the server refused the credentials of $DEST_USER"; else echo "HTTP 401 from $1 $2: the server wants credentials (set taskSequence.credentials)"; fi ;;
    403) echo "HTTP 403 Forbidden from $1 $2: the account may not write there" ;;
    413) echo "HTTP 413 from $1 $2: the server refuses a part this large (raise client_max_body_size)" ;;
    507) echo "HTTP 507 from $1 $2: destination full on the server" ;;
    *) echo "HTTP $3 from $1 $2" ;;
  esac
}

# MKCOL each folder of the path (WebDAV servers need the parents first). Only
# answers that will fail every PUT too (no answer, 401, 403) stop the capture.
http_make_collections() {
  url=$CAPMEDIA_TS_DEST_URL_ORIGIN
  for segment in $(echo "$CAPMEDIA_TS_DEST_URL_PATH/$1" | tr '/' ' '); do
    url="$url/$segment"
    status=$(http_request MKCOL "$url/")
    case "$status" in
      000 | 401 | 403) fail_with "$(http_failure MKCOL "$url/" "$status")"; return 1 ;;
    esac
  done
}

http_put() {
  status=$(http_request PUT "$DEST_FOLDER_URL/$1" -T -)
  case "$status" in
    2??) return 0 ;;
  esac
  http_failure PUT "$DEST_FOLDER_URL/$1" "$status" >"$WORK/put.reason"
  return 1
}
