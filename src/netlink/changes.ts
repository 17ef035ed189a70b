// The typed kernel changes src/netlink emits: the only shape in which kernel state leaves this
// folder. Dumps produce 'new' changes; events produce 'new' and 'del'.
import type { KernelAddress } from './addr-codec.ts';
import type { KernelLink } from './link-codec.ts';
import type { KernelNeighbor } from './neigh-codec.ts';
import type { KernelNexthop } from './nexthop-codec.ts';
import type { KernelRoute } from './route-codec.ts';
import type { KernelRule } from './rule-codec.ts';

export type Op = 'new' | 'del';

export type KernelChange =
  | { kind: 'link'; op: Op; link: KernelLink }
  | { kind: 'address'; op: Op; address: KernelAddress }
  | { kind: 'neighbor'; op: Op; neighbor: KernelNeighbor }
  | { kind: 'nexthop'; op: Op; nexthop: KernelNexthop }
  /** `replace` and `append` are the request's NLM_F_REPLACE / NLM_F_APPEND, as notified. */
  | { kind: 'route'; op: Op; route: KernelRoute; replace: boolean; append: boolean }
  | { kind: 'rule'; op: Op; rule: KernelRule };

export type { KernelAddress, KernelLink, KernelNeighbor, KernelNexthop, KernelRoute, KernelRule };
