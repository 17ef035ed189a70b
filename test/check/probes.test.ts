// Which addresses the forwarding check probes: three per route of the desired state, random
// ones per VRF, none where the kernel answers by special case.
import { describe, expect, it } from 'vitest';
import { isProbeable, probeAddresses, type Probe } from '../../src/check/probes.ts';
import { HardwareState } from '../../src/translate/hardware-state.ts';
import { TRAP } from '../../src/translate/route-value.ts';
import { dstText } from '../../src/netlink/route-record.ts';

const ip4 = (t: string) => t.split('.').reduce((a, x) => a * 256 + Number(x), 0);
const text = (p: Probe) => dstText(p.family, p.d0, p.d1, p.d2, p.d3);
const inPrefix4 = (p: Probe, prefix: string, len: number) => len === 0 || (p.d0 >>> (32 - len)) === (ip4(prefix) >>> (32 - len));

function state(): HardwareState {
  const s = new HardwareState();
  s.routes4.set(0, 24, ip4('11.0.1.0'), 0, 0, 0, TRAP);
  s.routes4.set(0, 32, ip4('11.0.2.5'), 0, 0, 0, TRAP);
  s.routes4.set(0, 8, ip4('127.0.0.0'), 0, 0, 0, TRAP);
  s.routes4.set(7, 16, ip4('12.1.0.0'), 0, 0, 0, TRAP);
  s.routes6.set(0, 48, 0x20010db8, 0x00090000, 0, 0, TRAP);
  s.routes6.set(0, 10, 0xfe800000, 0, 0, 0, TRAP);
  return s;
}

describe('probe addresses', () => {
  it('gives each route its first, last and a random address, once each', () => {
    const probes = probeAddresses(state(), [{ id: 0, oif: 0 }, { id: 7, oif: 12 }], 0, 1);
    const of = (vrf: number) => probes.filter((p) => p.vrfId === vrf).map(text);
    const v0 = of(0);
    expect(v0.slice(0, 2)).toEqual(['11.0.1.0', '11.0.1.255']);
    expect(v0).toContain('11.0.2.5');
    // A /32 is one address: first, last and random are the same probe.
    expect(v0.filter((a) => a === '11.0.2.5')).toHaveLength(1);
    expect(v0).toContain('2001:db8:9::');
    expect(v0).toContain('2001:db8:9:ffff:ffff:ffff:ffff:ffff');
    expect(probes.filter((p) => p.vrfId === 0 && p.family === 4 && inPrefix4(p, '11.0.1.0', 24))).toHaveLength(3);
    expect(of(7)).toEqual(expect.arrayContaining(['12.1.0.0', '12.1.255.255']));
    expect(probes.filter((p) => p.vrfId === 7).every((p) => p.oif === 12 && inPrefix4(p, '12.1.0.0', 16))).toBe(true);
    // Loopback and link-local are left out.
    expect(probes.some((p) => p.family === 4 && inPrefix4(p, '127.0.0.0', 8))).toBe(false);
    expect(probes.some((p) => p.family === 6 && p.d0 >>> 22 === 0xfe80 >>> 6)).toBe(false);
  });

  it('adds N random addresses per VRF, both families, the same for the same seed', () => {
    const vrfs = [{ id: 0, oif: 0 }, { id: 7, oif: 12 }];
    const base = probeAddresses(state(), vrfs, 0, 1).length;
    const a = probeAddresses(state(), vrfs, 500, 42);
    expect(a.length).toBe(base + 2 * 500);
    expect(probeAddresses(state(), vrfs, 500, 42)).toEqual(a);
    expect(probeAddresses(state(), vrfs, 500, 43)).not.toEqual(a);
    const random = a.slice(base);
    expect(random.filter((p) => p.family === 6).length).toBeGreaterThan(100);
    expect(random.every((p) => isProbeable(p.family, p.d0, p.d1, p.d2, p.d3))).toBe(true);
    expect(new Set(a.map((p) => `${p.vrfId} ${text(p)}`)).size).toBe(a.length);
  });

  it('leaves out what the kernel answers by special case', () => {
    for (const a of ['0.1.2.3', '127.0.0.1', '224.0.0.1', '239.1.1.1', '240.0.0.1', '255.255.255.255']) {
      expect(isProbeable(4, ip4(a), 0, 0, 0), a).toBe(false);
    }
    for (const a of ['1.0.0.0', '10.0.0.1', '223.255.255.255']) expect(isProbeable(4, ip4(a), 0, 0, 0), a).toBe(true);
    expect(isProbeable(6, 0, 0, 0, 0)).toBe(false);
    expect(isProbeable(6, 0, 0, 0, 1)).toBe(false);
    expect(isProbeable(6, 0xfe800000, 0, 0, 1)).toBe(false);
    expect(isProbeable(6, 0xfebf0000, 0, 0, 1)).toBe(false);
    expect(isProbeable(6, 0xff020000, 0, 0, 1)).toBe(false);
    expect(isProbeable(6, 0xfec00000, 0, 0, 1)).toBe(true);
    expect(isProbeable(6, 0x20010db8, 0, 0, 1)).toBe(true);
  });
});
