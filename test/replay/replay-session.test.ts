// The replay session on hand-made recordings: a resync is the run of dumps the live session
// issued back to back; an interrupted dump counts only through its retry; events that arrived
// during a resync are applied after it; a resync the live session gave up is not applied; events
// are delivered one recorded millisecond at a time, each batch once the previous one is settled.
import { describe, expect, it } from 'vitest';
import { ReplaySession } from '../../src/kernel/replay-session.ts';
import { encodeLink } from '../../src/netlink/link-codec.ts';
import { NLMSG, NLM_F, RTM, encodeMessage } from '../../src/netlink/messages.ts';
import { RouteType, encodeRoute } from '../../src/netlink/route-codec.ts';
import type { RecordedDatagram } from '../../src/record/capture.ts';
import type { TapKind } from '../../src/netlink/tap.ts';

const AF_INET = 2;
const AF_INET6 = 10;

class Recording {
  readonly datagrams: RecordedDatagram[] = [];
  private seq = 100;

  add(kind: TapKind, at: number, ...messages: Buffer[]): void {
    this.datagrams.push({ kind, at, datagram: Buffer.concat(messages) });
  }

  /** A whole dump: request, one reply datagram, NLMSG_DONE (flagged DUMP_INTR when `interrupted`). */
  dump(type: number, family: number, at: number, bodies: [number, Buffer][] = [], interrupted = false): number {
    const seq = this.request(type, family, at);
    this.replies(seq, at, bodies, interrupted);
    return seq;
  }

  request(type: number, family: number, at: number): number {
    const body = Buffer.alloc(type === RTM.GETLINK ? 16 : 12);
    body[0] = family;
    this.add('request', at, encodeMessage(type, NLM_F.REQUEST | NLM_F.DUMP, ++this.seq, body));
    return this.seq;
  }

  replies(seq: number, at: number, bodies: [number, Buffer][], interrupted = false): void {
    const flags = NLM_F.MULTI | (interrupted ? NLM_F.DUMP_INTR : 0);
    if (bodies.length) this.add('reply', at, ...bodies.map(([t, b]) => encodeMessage(t, flags, seq, b, 77)));
    this.add('reply', at, encodeMessage(NLMSG.DONE, flags, seq, Buffer.alloc(4), 77));
  }

  /** The dumps of a startup resync before the routes. */
  objects(at: number): void {
    this.dump(RTM.GETLINK, 0, at, [[RTM.NEWLINK, encodeLink({ index: 2, name: 'swp1', type: 1, flags: 0x11043, kind: 'veth', master: 0, mac: '02:00:00:00:00:01', mtu: 1500, operState: 6 })]]);
    for (const [type, families] of [[RTM.GETADDR, [AF_INET, AF_INET6]], [RTM.GETNEIGH, [AF_INET, AF_INET6]], [RTM.GETNEXTHOP, [0]], [RTM.GETRULE, [AF_INET, AF_INET6]]] as const) {
      for (const f of families) this.dump(type, f, at);
    }
  }

  source() {
    let i = 0;
    return { next: () => this.datagrams[i++] ?? null, close: () => undefined };
  }
}

const route = (n: number): [number, Buffer] => [RTM.NEWROUTE, encodeRoute({
  family: 4, table: 254, dst: `10.${n}.0.0`, dstLen: 16, srcLen: 0, tos: 0, protocol: 4, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 0,
  nexthops: [{ ifindex: 2, gateway: '192.168.0.1', weight: 1, flags: 0 }],
})];
const event = (type: number, n: number) => encodeMessage(type, 0, 0, route(n)[1]);

function prefixes(s: ReplaySession): string[] {
  return [...s.mirror.routes.v4.routes()].map((r) => `${r.dst}/${r.dstLen}`).sort();
}

describe('replay session', () => {
  it('replays a startup resync with a retried dump, then events in millisecond batches and an abandoned re-dump', async () => {
    const rec = new Recording();
    rec.objects(1000);
    // Both route families requested at once; IPv4 is interrupted and dumped again.
    const v4 = rec.request(RTM.GETROUTE, AF_INET, 1100);
    const v6 = rec.request(RTM.GETROUTE, AF_INET6, 1100);
    rec.replies(v4, 1200, [route(1), route(2)], true);
    rec.add('event', 1250, event(RTM.DELROUTE, 1)); // during the dumps: applied after them
    rec.replies(v6, 1300, []);
    rec.dump(RTM.GETROUTE, AF_INET, 1400, [route(1), route(3)]);
    // Events: two in one millisecond, one in the next.
    rec.add('event', 5000, event(RTM.NEWROUTE, 4));
    rec.add('event', 5900, event(RTM.NEWROUTE, 5));
    rec.add('event', 7000, event(RTM.DELROUTE, 3));
    // A re-dump interrupted and never retried (the live session gave up on it), then an event.
    rec.dump(RTM.GETROUTE, AF_INET, 9000, [route(9)], true);
    rec.add('event', 9500, event(RTM.NEWROUTE, 6));

    const session = new ReplaySession(rec.source());
    const delivered: string[] = [];
    const warnings: string[] = [];
    session.on('events', (events: { kind: string }[]) => delivered.push(events.map((e) => e.kind).join(',')));
    session.on('warning', (w: string) => warnings.push(w));
    await session.start();
    expect(prefixes(session)).toEqual(['10.3.0.0/16']);
    expect(session.stats.resyncs).toBe(1);
    expect(session.sub.stats.dumpRetries).toBe(1);
    expect(session.mirror.links.get('2')?.name).toBe('swp1');

    delivered.length = 0;
    const settled: string[][] = [];
    await session.play({
      speed: 'max',
      settled: async () => {
        settled.push(prefixes(session));
      },
    });
    // Each batch settled before the next was applied: the mirror as each one left it.
    expect(settled).toEqual([
      ['10.3.0.0/16', '10.4.0.0/16', '10.5.0.0/16'],
      ['10.4.0.0/16', '10.5.0.0/16'],
      ['10.4.0.0/16', '10.5.0.0/16', '10.6.0.0/16'],
    ]);
    expect(delivered).toEqual(['routes', 'routes', 'routes']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not applied/);
    expect(session.stats.resyncs).toBe(1);
    expect(session.replay).toMatchObject({ batches: 3, ignored: 0, datagrams: { event: 5 } });
  });

  it('starts a new resync when a request does not continue the order, and ignores replies to nothing', async () => {
    const rec = new Recording();
    rec.objects(1000);
    const v4 = rec.request(RTM.GETROUTE, AF_INET, 1100);
    const v6 = rec.request(RTM.GETROUTE, AF_INET6, 1100);
    rec.replies(v4, 1200, [route(1)]);
    rec.replies(v6, 1200, []);
    // The next resync: nexthops, then IPv4 routes (as after a nexthop removal).
    rec.dump(RTM.GETNEXTHOP, 0, 3000);
    rec.dump(RTM.GETROUTE, AF_INET, 3000, [route(2)]);
    rec.replies(4242, 3100, [route(7)]);
    const session = new ReplaySession(rec.source());
    const reasons: string[] = [];
    session.on('resync', (r: string) => reasons.push(r));
    await session.start();
    await session.play({ speed: 'max', settled: async () => undefined });
    expect(reasons).toEqual(['startup', 'recorded re-dump of nexthops, ipv4-routes']);
    expect(prefixes(session)).toEqual(['10.2.0.0/16']);
    expect(session.replay.ignored).toBe(2);
  });

  it('refuses a recording without a complete initial dump', async () => {
    const rec = new Recording();
    rec.add('event', 1, event(RTM.NEWROUTE, 1));
    await expect(new ReplaySession(rec.source()).start()).rejects.toThrow(/no complete initial dump/);
  });
});
