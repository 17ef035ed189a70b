// Dumps a namespace's kernel state through src/netlink, in a child process inside it.
import { join } from 'node:path';
import type { Netns } from './netns.ts';
import type { KernelRoute } from '../../src/netlink/route-codec.ts';
import type { KernelLink } from '../../src/netlink/link-codec.ts';
import type { KernelAddress } from '../../src/netlink/addr-codec.ts';
import type { KernelNeighbor } from '../../src/netlink/neigh-codec.ts';
import type { KernelNexthop } from '../../src/netlink/nexthop-codec.ts';
import type { KernelRule } from '../../src/netlink/rule-codec.ts';

const repo = join(import.meta.dirname, '..', '..');

export interface KernelDump {
  links: KernelLink[];
  addresses: KernelAddress[];
  neighbors: KernelNeighbor[];
  nexthops: KernelNexthop[];
  routes: KernelRoute[];
  rules: KernelRule[];
}

export function dumpKernel(ns: Netns): KernelDump {
  return JSON.parse(ns.exec(process.execPath, [join(repo, 'bin', 'run-ts.js'), join(repo, 'test', 'helpers', 'dump-kernel.ts')]));
}
