// A short text of a batch of mirror events, for the agent's debug log: what the mirror said
// changed, in order, so a divergence from the kernel can be traced to the batch that caused it.
import type { MirrorEvent } from './mirror.ts';
import type { RouteKeyList } from './route-keys.ts';

const MAX_ROUTE_KEYS = 16;

function routeKeysText(keys: RouteKeyList): string {
  const parts: string[] = [];
  for (const family of [4, 6] as const) if (keys.isWhole(family)) parts.push(`all IPv${family}`);
  for (let i = 0; i < Math.min(keys.length, MAX_ROUTE_KEYS); i++) parts.push(keys.text(i));
  if (keys.length > MAX_ROUTE_KEYS) parts.push(`and ${keys.length - MAX_ROUTE_KEYS} more`);
  return `routes ${parts.join(' ')}`;
}

export function describeEvents(events: readonly MirrorEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'routes': return routeKeysText(e.keys);
      case 'resync': return `resync ${e.what.join(',')} (${e.reason})`;
      default: return `${e.kind} ${e.op} ${e.key}${e.after ? ` ${JSON.stringify(e.after)}` : ''}`;
    }
  });
}
