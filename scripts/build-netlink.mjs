#!/usr/bin/env node
// Rebuilds the netlink package's native binding from its sources with patches/netlink+0.3.0.patch
// applied (patch-package runs first, from postinstall). The published prebuild aborts the
// process on a netlink overrun: its poll-error path builds a JS string from a NULL pointer,
// and its recvmsg-error path reads errno after N-API calls that may clobber it. It also
// allocates a fresh external buffer of the full read size for every datagram, which the GC does
// not see: the patch reads into one buffer per socket and hands out exact-size copies. And its
// setRecvBufferSize uses SO_RCVBUF only, capped by net.core.rmem_max, which no network namespace
// but the first can raise: the patch forces the size (SO_RCVBUFFORCE) where CAP_NET_ADMIN allows.
// And it adds recvDump, which reads a dump's datagrams straight into a caller's chunk, blocking,
// for the dump thread (src/netlink/dump-thread.mjs).
// node-gyp-build loads build/Release ahead of the prebuilds, so the fixed binary is the one used.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeGypRebuild } from './node-gyp-rebuild.mjs';

const require = createRequire(import.meta.url);
const pkg = dirname(require.resolve('netlink/package.json'));
nodeGypRebuild(pkg, 'netlink binding');
const loaded = require('node-gyp-build').path(pkg);
if (!loaded.startsWith(join(pkg, 'build'))) {
  console.error(`netlink binding: expected the rebuilt binary, node-gyp-build chose ${loaded}`);
  process.exit(1);
}
console.log(`netlink binding rebuilt with patches: ${loaded}`);
