// A million mutated netlink messages through the decoder: each is decoded or counted as
// malformed and skipped; nothing throws, nothing hangs.
import { describe, expect, it } from 'vitest';
import { MalformedMessage } from '../../src/netlink/attributes.ts';
import { decodeChange, newDecodeStats } from '../../src/netlink/decode.ts';
import { encodeMessage, forEachMessage, RTM } from '../../src/netlink/messages.ts';
import { RouteType, encodeRoute } from '../../src/netlink/route-codec.ts';
import { encodeLink } from '../../src/netlink/link-codec.ts';
import { encodeAddress } from '../../src/netlink/addr-codec.ts';
import { encodeNeighbor } from '../../src/netlink/neigh-codec.ts';
import { encodeNexthop } from '../../src/netlink/nexthop-codec.ts';
import { encodeRule } from '../../src/netlink/rule-codec.ts';

const base = { table: 1000, srcLen: 0, tos: 0, protocol: 4, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 20 };
const corpus: Buffer[] = [
  encodeMessage(RTM.NEWROUTE, 0, 0, encodeRoute({ ...base, family: 4, dst: '10.1.0.0', dstLen: 16, nexthops: [
    { ifindex: 3, gateway: '192.168.0.1', weight: 3, flags: 0 }, { ifindex: 4, gateway: 'fe80::1', gatewayFamily: 6, weight: 1, flags: 16 }] })),
  encodeMessage(RTM.NEWROUTE, 0, 0, encodeRoute({ ...base, family: 6, dst: '2001:db8::', dstLen: 32, nhId: 5, nexthops: [{ ifindex: 2, gateway: 'fe80::2', weight: 1, flags: 0 }] })),
  encodeMessage(RTM.NEWLINK, 0, 0, encodeLink({ index: 5, name: 'red', type: 1, flags: 0x41, kind: 'vrf', master: 0, mac: '02:00:00:00:00:01', mtu: 65575, operState: 6, vrfTable: 10 })),
  encodeMessage(RTM.NEWLINK, 0, 0, encodeLink({ index: 3, name: 'swp1', type: 1, flags: 0x1043, kind: 'veth', master: 5, mac: '02:00:00:00:00:02', mtu: 1500, operState: 6, slaveKind: 'vrf', vrfPortTable: 10 })),
  encodeMessage(RTM.NEWADDR, 0, 0, encodeAddress({ family: 4, index: 3, prefixLen: 24, scope: 0, address: '10.0.0.1', flags: 0x80 })),
  encodeMessage(RTM.NEWNEIGH, 0, 0, encodeNeighbor({ family: 6, ifindex: 3, state: 2, flags: 0, ip: '2001:db8::2', mac: '02:00:00:00:00:03' })),
  encodeMessage(RTM.NEWNEXTHOP, 0, 0, encodeNexthop({ id: 9, family: 0, flags: 0, protocol: 4, ifindex: 0, blackhole: false, fdb: false, group: [{ id: 1, weight: 300 }, { id: 2, weight: 1 }], groupType: 0 })),
  encodeMessage(RTM.NEWRULE, 0, 0, encodeRule({ family: 4, priority: 1000, action: 1, table: 0, l3mdev: true, dstLen: 0, srcLen: 0, tos: 0, protocol: 2, flags: 0 })),
];

/** xorshift32: deterministic, so a failure reproduces. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  switch (r() % 5) {
    case 0: for (let i = 0, n = 1 + (r() % 4); i < n; i++) b[r() % b.length]! ^= 1 << (r() % 8); return b;
    case 1: return b.subarray(0, r() % b.length); // truncated
    case 2: b.writeUInt16LE(r() & 0xffff, 16 + (r() % Math.max(1, b.length - 18)) & ~3); return b; // an attribute length
    case 3: for (let i = 16; i < b.length; i++) if (r() % 8 === 0) b[i] = r() & 0xff; return b; // noise in the body
    default: b.writeUInt32LE(r() % (b.length * 2 + 1), 0); return b; // the message length
  }
}

describe('decoder fuzzing', () => {
  it('decodes or counts and skips a million mutated messages, never throwing', () => {
    const r = rng(0x5eed);
    const stats = newDecodeStats();
    let decoded = 0;
    let framing = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const buf = mutate(corpus[i % corpus.length]!, r);
      try {
        forEachMessage(buf, (h) => {
          if (decodeChange(h.type, h.flags, buf, h.bodyStart, h.end, stats)) decoded++;
        });
      } catch (err) {
        // A datagram whose framing is broken is refused whole, as the subscription counts it.
        expect(err).toBeInstanceOf(MalformedMessage);
        framing++;
      }
    }
    expect(decoded).toBeGreaterThan(100_000);
    expect(stats.malformed + framing).toBeGreaterThan(100_000);
  });
});
