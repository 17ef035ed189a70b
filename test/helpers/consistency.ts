// Is the hardware what the kernel of a namespace asks for? Runs hw-check.ts inside the namespace
// (src/check/structural.ts against the driver's Read).
import { NsChild } from './ns-child.ts';
import type { Netns } from './netns.ts';

export interface CheckResult {
  count: number;
  entries: number;
  mismatches: unknown[];
}

export async function checkHardware(ns: Netns, address: string): Promise<CheckResult> {
  const c = NsChild.start(ns, 'hw-check.ts', [address]);
  return JSON.parse(await c.next(60_000)) as CheckResult;
}

/** Polls until the hardware equals the kernel, or gives the last result after `ms`. */
export async function convergeHardware(ns: Netns, address: string, ms = 30_000): Promise<CheckResult> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await checkHardware(ns, address);
    if (r.count === 0 || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
}
