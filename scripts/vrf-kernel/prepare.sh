#!/usr/bin/env bash
# Prepares the VRF kernel rig: a Debian kernel with VRF support (the host kernel has none) and
# a busybox initramfs that loads its modules, mounts the host's root read-only over 9p and
# chroots into it. Idempotent: a prepared cache is reused. Prints KERNEL=... INITRD=... lines.
#   VRFSYNC_VRF_KERNEL_CACHE  cache folder (default /var/cache/vrfsync-vrf-kernel)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${VRFSYNC_VRF_KERNEL_CACHE:-/var/cache/vrfsync-vrf-kernel}"
mkdir -p "$cache"

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The newest packaged kernel: the one linux-image-amd64 depends on, unsigned flavour.
if [ ! -f "$cache/kernel-version" ]; then
  version=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1)
  if [ -z "$version" ]; then
    apt-get update -qq
    version=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1)
  fi
  [ -n "$version" ] || { echo "prepare: cannot find a Debian kernel package" >&2; exit 1; }
  (cd "$cache" && rm -rf root ./*.deb && apt-get download "linux-image-${version}-unsigned" >/dev/null 2>&1 \
    && dpkg -x linux-image-"${version}"-unsigned_*.deb root)
  echo "$version" > "$cache/kernel-version"
fi
version=$(cat "$cache/kernel-version")
kernel="$cache/root/boot/vmlinuz-$version"
initrd="$cache/initrd-$version.cpio"

if [ ! -f "$initrd" ] || [ "$here/init.sh" -nt "$initrd" ] || [ "$0" -nt "$initrd" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work"/{bin,dev,proc,sys,host,modules}
  cp /bin/busybox "$work/bin/busybox"
  cp "$here/init.sh" "$work/init"
  chmod +x "$work/init"
  mods="$cache/root/lib/modules/$version/kernel"
  # In dependency order: virtio and 9p to mount the host, then what the tests need.
  i=0
  for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
           drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
           fs/netfs/netfs fs/fscache/fscache fs/9p/9p drivers/net/vrf drivers/net/veth drivers/net/dummy \
           net/llc/llc net/802/stp net/bridge/bridge; do
    f=""
    for ext in ko ko.xz; do [ -f "$mods/$m.$ext" ] && f="$mods/$m.$ext"; done
    [ -n "$f" ] || continue # built in, or absent in this version
    i=$((i + 1))
    out="$work/modules/$(printf '%02d' $i)-$(basename "$m").ko"
    case "$f" in *.xz) xz -dc "$f" > "$out" ;; *) cp "$f" "$out" ;; esac
  done
  (cd "$work" && find . | /bin/busybox cpio -o -H newc 2>/dev/null > "$initrd.tmp") && mv "$initrd.tmp" "$initrd"
fi
echo "KERNEL=$kernel"
echo "INITRD=$initrd"
