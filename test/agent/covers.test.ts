// The safe table-full policy's covers: the nearest installed less specific route of each route
// that could not be installed, recomputed as installed routes come and go.
import { describe, expect, it } from 'vitest';
import { Covers } from '../../src/agent/covers.ts';
import { HardwareState } from '../../src/translate/hardware-state.ts';
import { DROP } from '../../src/translate/route-value.ts';

const ip = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;

describe('covers', () => {
  it('finds the nearest installed route above each failed one, and follows changes', () => {
    const hw = new HardwareState();
    const set = (vrf: number, a: string, len: number, v = DROP) => hw.routes4.set(vrf, len, ip(a), 0, 0, 0, v);
    set(0, '0.0.0.0', 0);
    set(0, '10.0.0.0', 8);
    set(1, '10.1.0.0', 16);
    const failed: [number, string, number][] = [[0, '10.1.2.0', 24], [0, '10.1.3.0', 24], [1, '10.1.2.0', 24], [0, '11.0.0.0', 8]];
    const each = (visit: (f: 4 | 6, vrf: number, len: number, d0: number, d1: number, d2: number, d3: number) => void) => {
      for (const [vrf, a, len] of failed) visit(4, vrf, len, ip(a), 0, 0, 0);
    };
    const c = new Covers();
    const texts = (l: ReturnType<Covers['recompute']>) => Array.from({ length: l.length }, (_, i) => l.text(i)).sort();
    expect(texts(c.recompute(each, hw))).toEqual(['0/0.0.0.0/0', '0/10.0.0.0/8', '1/10.1.0.0/16']);
    expect(c.isCover(4, 0, 8, ip('10.0.0.0'), 0, 0, 0)).toBe(true);
    expect(c.isCover(4, 1, 8, ip('10.0.0.0'), 0, 0, 0)).toBe(false);
    // A closer route gets installed: it covers both /24s, and 10/8 covers nothing any more.
    set(0, '10.1.2.0', 23);
    expect(texts(c.recompute(each, hw))).toEqual(['0/10.0.0.0/8', '0/10.1.2.0/23']);
    // Everything fits now: no cover left.
    failed.length = 0;
    expect(texts(c.recompute(each, hw))).toEqual(['0/0.0.0.0/0', '0/10.1.2.0/23', '1/10.1.0.0/16']);
    expect(c.size).toBe(0);
  });

  it('does the same for IPv6, across word boundaries', () => {
    const hw = new HardwareState();
    // 2001:db8::/32 (one word), 2001:db8:0:100::/56 (two words), and a failed /64 and /128 under them.
    hw.routes6.set(0, 32, 0x20010db8, 0, 0, 0, DROP);
    hw.routes6.set(0, 56, 0x20010db8, 0x00000100, 0, 0, DROP);
    const failed: [number, number, number, number, number][] = [[64, 0x20010db8, 0x00000101, 0, 0], [128, 0x20010db8, 0x00000200, 0, 1]];
    const each = (visit: (f: 4 | 6, vrf: number, len: number, d0: number, d1: number, d2: number, d3: number) => void) => {
      for (const [len, d0, d1, d2, d3] of failed) visit(6, 0, len, d0, d1, d2, d3);
    };
    const c = new Covers();
    const l = c.recompute(each, hw);
    expect(Array.from({ length: l.length }, (_, i) => l.text(i)).sort()).toEqual(['0/2001:db8:0:100::/56', '0/2001:db8::/32']);
    expect(c.isCover(6, 0, 56, 0x20010db8, 0x00000100, 0, 0)).toBe(true);
    expect(c.isCover(6, 0, 32, 0x20010db8, 0, 0, 0)).toBe(true);
  });
});
