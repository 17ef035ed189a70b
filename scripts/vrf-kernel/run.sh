#!/usr/bin/env bash
# Runs a command inside a real Linux kernel with VRF support, under qemu (no KVM here: TCG),
# with the host's root as its root (read-only), so this repository and node run unchanged.
#   scripts/vrf-kernel/run.sh [--timeout SECS] -- COMMAND [ARGS...]
# The command runs as root in the repository's folder with PATH and CI passed through; its
# stdout and stderr stream out as it runs, and its exit status is returned. Boot failure or
# timeout: exit 125.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
timeout=600
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: run.sh [--timeout SECS] -- COMMAND [ARGS...]" >&2; exit 2; }

eval "$("$here/prepare.sh" | sed -n 's/^\(KERNEL\|INITRD\)=/&/p' | sed 's/^/export /')"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
{
  echo "cd $(printf '%q' "$repo") || exit 126"
  echo "export PATH=$(printf '%q' "$PATH") CI=$(printf '%q' "${CI:-}") HOME=/root TMPDIR=/run/tmp VRFSYNC_IN_VRF_VM=1"
  printf 'exec'
  printf ' %q' "$@"
  echo
} > "$scratch/cmd"

touch "$scratch/stdout" "$scratch/stderr"
timeout --kill-after=10 "$timeout" qemu-system-x86_64 -nographic -no-reboot -m 2048 -smp 2 \
  -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 panic=-1 quiet loglevel=3" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$scratch,mount_tag=scratch,security_model=none,multidevs=remap" \
  > "$scratch/console" 2>&1 &
qemu=$!
# Stream the command's output as the guest writes it to the shared folder.
tail -n +1 -f --pid="$qemu" "$scratch/stdout" &
out=$!
tail -n +1 -f --pid="$qemu" "$scratch/stderr" >&2 &
err=$!
status=0
wait "$qemu" || status=$?
wait "$out" "$err" 2>/dev/null || true
if [ ! -f "$scratch/rc" ]; then
  echo "vrf-kernel: the guest did not run the command (qemu status $status); console:" >&2
  tail -n 30 "$scratch/console" >&2
  exit 125
fi
exit "$(cat "$scratch/rc")"
