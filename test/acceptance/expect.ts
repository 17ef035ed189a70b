// Whether hwsim's answer to a lookup (as `hwsim lookup --json` shows it) meets a scenario's
// expectation, and both in words for a failure message.
import type { HardwareAnswer } from '../../src/check/agreement.ts';
import type { Expect, Hop } from './spec.ts';

const hopText = (h: Hop) => `${h.port}${h.via ? ` via ${h.via}` : ''}${h.mac ? ` ${h.mac}` : ''}`;

export const expectText = (e: Expect) => (typeof e === 'string' ? e : 'any' in e ? `one of [${e.any.map(hopText).join(', ')}]${e.orTrap ? ' or trap' : ''}` : hopText(e));

export const hwText = (h: HardwareAnswer) => (h.action === 'forward' ? `forward ${h.interface} via ${h.nexthop} ${h.mac}` : `${h.action}${h.reason ? ` (${h.reason})` : ''}`);

function hopMatches(want: Hop, h: HardwareAnswer): boolean {
  return h.action === 'forward' && h.interface === want.port && (want.via === undefined || want.via === h.nexthop) && (want.mac === undefined || want.mac === h.mac);
}

export function meets(e: Expect, h: HardwareAnswer): boolean {
  if (e === 'trap' || e === 'drop') return h.action === e;
  if ('any' in e) return (e.orTrap === true && h.action === 'trap') || e.any.some((w) => hopMatches(w, h));
  return hopMatches(e, h);
}
