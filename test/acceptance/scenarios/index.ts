// Every acceptance scenario, in the order the suite runs them.
import type { Scenario } from '../spec.ts';
import { vrfLifecycle } from './vrf-lifecycle.ts';
import { overlap } from './overlap.ts';
import { movePort } from './move-port.ts';
import { leaking } from './leaking.ts';
import { ecmp } from './ecmp.ts';
import { neighbors } from './neighbors.ts';
import { routeKinds } from './route-kinds.ts';
import { ipv6 } from './ipv6.ts';
import { excluded } from './excluded.ts';
import { tableFull } from './table-full.ts';
import { frr } from './frr.ts';

export const SCENARIOS: readonly Scenario[] = [
  vrfLifecycle, overlap, movePort, leaking, ecmp, neighbors, routeKinds, ipv6, excluded, tableFull, frr,
];
