// The six entity kinds of the contract, as the member names of Entity's oneof, in dependency
// order, with their EntityType values.
import { EntityType, type v1 } from './wire.ts';

export type Kind = 'vrf' | 'routerInterface' | 'neighbor' | 'nextHop' | 'nextHopGroup' | 'route';

/** Kinds in dependency order (the order of EntityType). */
export const KINDS: readonly Kind[] = ['vrf', 'routerInterface', 'neighbor', 'nextHop', 'nextHopGroup', 'route'];

export const TYPE_OF_KIND: Record<Kind, EntityType> = {
  vrf: EntityType.ENTITY_TYPE_VRF,
  routerInterface: EntityType.ENTITY_TYPE_ROUTER_INTERFACE,
  neighbor: EntityType.ENTITY_TYPE_NEIGHBOR,
  nextHop: EntityType.ENTITY_TYPE_NEXT_HOP,
  nextHopGroup: EntityType.ENTITY_TYPE_NEXT_HOP_GROUP,
  route: EntityType.ENTITY_TYPE_ROUTE,
};

/** The kind of the entity's set member, or null when none (or more than one) is set. */
export function kindOf(e: v1.IEntity): Kind | null {
  let found: Kind | null = null;
  for (const k of KINDS) {
    if (e[k] == null) continue;
    if (found) return null;
    found = k;
  }
  return found;
}
