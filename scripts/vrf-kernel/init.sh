#!/bin/busybox sh
# /init of the VRF kernel rig's initramfs: load modules, mount the host's root read-only over
# 9p, give it writable scratch places (not over /tmp: the repository may live there; TMPDIR
# is /run/tmp), and run /mnt/cmd chrooted into it. The
# command's output and exit status go to the writable share; then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m" 2>/dev/null || echo "rig: insmod $m failed" > /dev/console; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 host /host || { echo "rig: cannot mount the host" > /dev/console; poweroff -f; }
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/shm 2>/dev/null; mount -t tmpfs shm /host/dev/shm 2>/dev/null
mount -t tmpfs run /host/run
mkdir -p /host/run/tmp
mount -t tmpfs root /host/root
mount -t tmpfs varcache /host/var/cache
mount -t tmpfs varlib /host/var/lib
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 scratch /host/mnt || { echo "rig: cannot mount the scratch share" > /dev/console; poweroff -f; }
ip link set lo up 2>/dev/null
chroot /host /bin/sh /mnt/cmd > /host/mnt/stdout 2> /host/mnt/stderr
echo $? > /host/mnt/rc
sync
poweroff -f
