// Address text <-> bytes: the parsers the decoded-route path uses must accept exactly the
// addresses the printers write and refuse everything else.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipBytes, ipText, ipv4Word } from '../../src/common/ip-text.ts';

describe('ipv4Word', () => {
  it('reads every printed IPv4 address back to its bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
      const b = Buffer.from(bytes);
      const text = ipText(4, b, 0);
      expect(ipv4Word(text)).toBe(b.readUInt32BE(0));
      expect(ipBytes(4, text)).toEqual(b);
    }), { numRuns: 2000 });
  });

  it('reads the edges', () => {
    expect(ipv4Word('0.0.0.0')).toBe(0);
    expect(ipv4Word('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4Word('10.0.1.2')).toBe(0x0a000102);
    expect(ipv4Word('192.168.001.002')).toBe(0xc0a80102);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '1234.1.1.1', '1..2.3', '.1.2.3', '1.2.3.', 'a.b.c.d', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-4', '::1'])(
    'refuses %j', (text) => {
      expect(() => ipv4Word(text)).toThrow(/bad IPv4 address/);
      expect(() => ipBytes(4, text)).toThrow(/bad IPv4 address/);
    });
});
