#!/usr/bin/env bash
# Idempotent set-up: system packages (apt-get when root, else the exact command),
# npm dependencies, the compiled CLI. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(xorriso mtools dosfstools fdisk wimtools grub-efi-amd64-bin grub-pc-bin
  grub-common isolinux syslinux syslinux-common busybox-static qemu-system-x86 ovmf nginx
  libnginx-mod-http-dav-ext cpio ntfs-3g openssl kmod zstd e2fsprogs curl time
  attr)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages. Run as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# The demo content library: the open linux boot image (CM100004) and an example
# package (CM100007) in ./content. The boot image is rebuilt only when the code
# or templates that make it change (stamp = hash of those files).
BOOT_DIR=.capmedia/bootimage-x64
stamp=$(cat src/bootimage/*.ts templates/linux/* | sha256sum | cut -c1-16)
if [ ! -f "$BOOT_DIR/capmedia-package.json" ] || [ "$(cat "$BOOT_DIR.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "setup: building the linux boot image from Debian packages (first time: a minute or two)"
  node dist/cli.js bootimage create --arch x64 --out "$BOOT_DIR" --cache-dir .capmedia/cache
  echo "$stamp" > "$BOOT_DIR.stamp"
fi
node dist/cli.js distribute "$BOOT_DIR" --package CM100004 --to file:./content >/dev/null
node dist/cli.js distribute examples/packages/CM100007 --package CM100007 --to file:./content >/dev/null
echo "setup: ready (content library in ./content; build with: node dist/cli.js build)"
