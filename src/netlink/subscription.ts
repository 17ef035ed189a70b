// The door to the kernel: one socket subscribed to every rtnetlink group the agent mirrors,
// and full dumps on separate sockets. Nothing outside src/netlink touches sockets or bytes;
// what comes out is KernelChange values.
//
// Robustness as mature daemons learned it: subscribe first, then dump, so nothing falls between
// the two; an interrupted dump (NLM_F_DUMP_INTR) is dumped again; a lost event (ENOBUFS on the
// event socket) is reported as an overrun so the owner re-dumps and reconciles. NETLINK_NO_ENOBUFS
// is never set: drops would go unnoticed.
import { EventEmitter } from 'node:events';
import { RawNetlinkSocket } from 'netlink';
import type { KernelChange } from './changes.ts';
import { DUMPS, decodeEventDatagram, objectDumpVisitor, routeDumpVisitor, type DumpKind, type RouteSink } from './datagrams.ts';
import { newDecodeStats, type DecodeStats } from './decode.ts';
import { DumpInterrupted, dump, warmDumpThread } from './dump.ts';
import { AF_INET, AF_INET6, RTMSG_LEN } from './route-codec.ts';
import { RouteRecord } from './route-record.ts';
import { bulkRouteScan } from './route-scan.ts';
import { RTM } from './messages.ts';
import { tapClock, type NetlinkTap } from './tap.ts';

export { ALL_KINDS, type DumpKind, type RouteSink } from './datagrams.ts';

const NETLINK_ROUTE = 0;
export const RTNLGRP = {
  LINK: 1, NEIGH: 3, IPV4_IFADDR: 5, IPV4_ROUTE: 7, IPV4_RULE: 8, IPV6_IFADDR: 9, IPV6_ROUTE: 11, IPV6_RULE: 19, NEXTHOP: 32,
} as const;

export const DEFAULT_RCVBUF = 32 * 1024 * 1024;

export interface SubscriptionOptions {
  /** Receive buffer of the event socket in bytes (default 32 MiB). */
  recvBufferSize?: number;
  /** Attempts before an interrupted dump is given up (default 10). */
  dumpRetries?: number;
}

/**
 * Events: 'changes' (KernelChange[], one datagram's worth, in kernel order),
 * 'overrun' (events were lost: re-dump), 'warning' (string), 'error' (Error).
 */
export class NetlinkSubscription extends EventEmitter {
  readonly stats: DecodeStats & { overruns: number; dumps: number; dumpRetries: number; recvBufferSize: number } = {
    ...newDecodeStats(), overruns: 0, dumps: 0, dumpRetries: 0, recvBufferSize: 0,
  };
  private sock: RawNetlinkSocket | null = null;
  /** Sees every datagram received and every dump (vrfsync record); changes nothing. */
  tap: NetlinkTap | null = null;

  constructor(private readonly options: SubscriptionOptions = {}) {
    super();
  }

  /** Opens the event socket and joins every group. Call before the first dump. */
  start(): void {
    this.open(this.options.recvBufferSize ?? DEFAULT_RCVBUF);
    // Route dumps come next, after the small ones: have their thread ready by then.
    warmDumpThread();
  }

  private open(recvBufferSize: number): void {
    // The patched binding forces the size (SO_RCVBUFFORCE) with CAP_NET_ADMIN, as FRR does:
    // SO_RCVBUF alone is capped by net.core.rmem_max, which a network namespace cannot raise.
    const sock = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize } as never);
    for (const g of Object.values(RTNLGRP)) sock.addMembership(g);
    sock.ref();
    // The kernel doubles SO_RCVBUF for bookkeeping; what we got is what matters.
    this.stats.recvBufferSize = sock.getRecvBufferSize();
    if (this.stats.recvBufferSize < recvBufferSize) {
      this.emit('warning', `netlink receive buffer is ${this.stats.recvBufferSize} bytes, not the ${recvBufferSize} asked for: `
        + `bursts of kernel changes may overrun it (each overrun costs a full resync). Run the agent with CAP_NET_ADMIN `
        + `(it then forces the size), or raise the cap in the initial network namespace (sysctl -w net.core.rmem_max=${recvBufferSize}) and restart.`);
    }
    // Only the kernel (port 0) speaks for the kernel: a datagram from a user process is ignored.
    sock.on('message', (buf, rinfo) => {
      if (rinfo.port === 0) this.onDatagram(buf);
    });
    sock.on('truncatedMessage', () => this.overrun());
    sock.on('error', (err) => {
      const e = err as { code?: string; syscall?: string };
      if (e.syscall === 'poll') {
        // The socket reported an error condition (an overflow) and libuv stopped polling it:
        // it is closed. A new one, joined to every group, then a resync, loses nothing.
        if (this.sock === sock) this.open(recvBufferSize);
        this.overrun();
      } else if (e.code === 'ENOBUFS') this.overrun();
      else this.emit('error', err);
    });
    this.sock = sock;
  }

  private overrun() {
    this.stats.overruns++;
    this.emit('overrun');
  }

  private onDatagram(buf: Buffer) {
    this.tap?.('event', buf, tapClock());
    const out = decodeEventDatagram(buf, this.stats);
    if (out.length) this.emit('changes', out);
  }

  /** Runs `attempt` until the kernel stops reporting the dump inconsistent. */
  private async retrying(attempt: () => Promise<void>): Promise<void> {
    const retries = this.options.dumpRetries ?? 10;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof DumpInterrupted) || n >= retries) throw err;
        this.stats.dumpRetries++;
      }
    }
  }

  /** Dumps one kind of object, as changes. */
  async dump(kind: DumpKind): Promise<KernelChange[]> {
    const spec = DUMPS.find((d) => d.what === kind)!;
    let out: KernelChange[] = [];
    await this.retrying(async () => {
      out = [];
      for (const af of spec.families) {
        const req = Buffer.alloc(spec.len);
        req[0] = af;
        this.stats.dumps++;
        await dump(spec.type, req, objectDumpVisitor(out, this.stats), { tap: this.tap });
      }
    });
    return out;
  }

  /**
   * The full-table path: dumps one family's routes into `sink` as RouteRecords, one reused
   * record and no object per route. Malformed messages are counted and skipped.
   */
  async dumpRoutes(family: 4 | 6, sink: RouteSink): Promise<void> {
    const rec = new RouteRecord();
    const req = Buffer.alloc(RTMSG_LEN);
    req[0] = family === 4 ? AF_INET : AF_INET6;
    await this.retrying(async () => {
      sink.reset();
      this.stats.dumps++;
      await dump(RTM.GETROUTE, req, routeDumpVisitor(req[0]!, rec, sink, this.stats), {
        threaded: true, background: family === 6, tap: this.tap, bulk: bulkRouteScan(req[0]!, rec, (r) => sink.add(r)),
      });
    });
  }

  /** Every object the kernel holds, in dependency order: links first, rules last. */
  async dumpAll(): Promise<KernelChange[]> {
    const out: KernelChange[] = [];
    for (const d of DUMPS) for (const c of await this.dump(d.what)) out.push(c);
    return out;
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }
}
