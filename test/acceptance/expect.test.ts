// The acceptance runner's expectations (expect.ts) tell answers apart: a forward out of the
// wrong port, to the wrong next hop or MAC, a trap or a drop where a forward is expected, and
// the reverse, each fails; ECMP accepts any listed member, and a trap only when allowed.
import { describe, expect, it } from 'vitest';
import type { HardwareAnswer } from '../../src/check/agreement.ts';
import { expectText, meets } from './expect.ts';

const fwd = (port: string, nexthop: string, mac = '02:aa:00:00:00:01'): HardwareAnswer =>
  ({ action: 'forward', prefix: '10.0.0.0/8', interface: port, nexthop, mac, reason: null });
const trap: HardwareAnswer = { action: 'trap', prefix: null, interface: null, nexthop: null, mac: null, reason: 'no route' };
const drop: HardwareAnswer = { action: 'drop', prefix: '10.0.0.0/8', interface: null, nexthop: null, mac: null, reason: 'route drop' };

describe('acceptance expectations', () => {
  it('a forward meets only its port, next hop and MAC', () => {
    const want = { port: 'swp1', via: '192.168.1.2', mac: '02:aa:00:00:00:01' };
    expect(meets(want, fwd('swp1', '192.168.1.2'))).toBe(true);
    expect(meets(want, fwd('swp2', '192.168.1.2'))).toBe(false);
    expect(meets(want, fwd('swp1', '192.168.1.3'))).toBe(false);
    expect(meets(want, fwd('swp1', '192.168.1.2', '02:aa:00:00:00:02'))).toBe(false);
    expect(meets(want, trap)).toBe(false);
    expect(meets(want, drop)).toBe(false);
    // Only what is given is compared.
    expect(meets({ port: 'swp1' }, fwd('swp1', '10.9.9.9', '02:00:00:00:00:09'))).toBe(true);
  });

  it('trap and drop meet only themselves', () => {
    expect(meets('trap', trap)).toBe(true);
    expect(meets('trap', drop)).toBe(false);
    expect(meets('trap', fwd('swp1', '192.168.1.2'))).toBe(false);
    expect(meets('drop', drop)).toBe(true);
    expect(meets('drop', trap)).toBe(false);
  });

  it('ECMP: any listed member; a trap only with orTrap', () => {
    const members = [{ port: 'swp1', via: '192.168.1.2' }, { port: 'swp4', via: '192.168.4.2' }];
    expect(meets({ any: members }, fwd('swp4', '192.168.4.2'))).toBe(true);
    expect(meets({ any: members }, fwd('swp5', '192.168.5.2'))).toBe(false);
    expect(meets({ any: members }, trap)).toBe(false);
    expect(meets({ any: members, orTrap: true }, trap)).toBe(true);
    expect(meets({ any: members, orTrap: true }, drop)).toBe(false);
    expect(expectText({ any: members, orTrap: true })).toBe('one of [swp1 via 192.168.1.2, swp4 via 192.168.4.2] or trap');
  });
});
