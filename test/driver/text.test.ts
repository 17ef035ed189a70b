import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIp, formatMac, formatPrefix, parseIp, parseMac, parsePrefix, TextError } from '../../src/driver/text.ts';

describe('contract text', () => {
  it('prints and parses IPv4 in host order', () => {
    expect(parseIp('10.0.0.1')).toEqual({ ipv4: 0x0a000001 });
    expect(formatIp({ ipv4: 0xffffffff })).toBe('255.255.255.255');
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      expect(parseIp(formatIp({ ipv4: v }))).toEqual({ ipv4: v });
    }));
  });

  it('prints IPv6 as RFC 5952 and parses every form back', () => {
    expect(formatIp(parseIp('2001:db8::1'))).toBe('2001:db8::1');
    expect(formatIp(parseIp('2001:0db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('::'))).toBe('::');
    expect(formatIp(parseIp('::ffff:10.0.0.1'))).toBe('::ffff:10.0.0.1');
    expect(formatIp(parseIp('fe80::1:2:3:4:5:6'))).toBe('fe80:0:1:2:3:4:5:6');
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      const text = formatIp({ ipv6: b });
      expect(Buffer.from(parseIp(text).ipv6!)).toEqual(Buffer.from(b));
    }));
  });

  it('parses prefixes and MACs and refuses nonsense', () => {
    expect(parsePrefix('10.0.0.0/8')).toEqual({ ipv4: 0x0a000000, length: 8 });
    expect(parsePrefix('10.0.0.1')).toEqual({ ipv4: 0x0a000001, length: 32 });
    expect(formatPrefix(parsePrefix('2001:db8::/32'))).toBe('2001:db8::/32');
    expect(formatMac(parseMac('02:00:0a:ff:00:01'))).toBe('02:00:0a:ff:00:01');
    for (const bad of ['10.0.0.256', '1.2.3', '2001:db8:::1', 'x']) expect(() => parseIp(bad)).toThrow(TextError);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/x', '10/8/9']) expect(() => parsePrefix(bad)).toThrow(TextError);
    expect(() => parseMac('02:00:00:00:00')).toThrow(TextError);
  });
});
