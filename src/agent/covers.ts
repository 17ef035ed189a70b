// The `safe` table-full policy: when a route cannot be installed, hardware would send its
// packets by the nearest less specific route it holds, somewhere the kernel would not. So that
// nearest installed covering route is turned into TRAP (the kernel then forwards those packets,
// correctly, in software) until the failed route fits. Nobody else offers this: SONiC and mlxsw
// retry and meanwhile forward some packets wrongly.
//
// Covers are recomputed from the failed routes and the installed state (longest installed
// prefix strictly shorter than each failed one), so a cover that goes away or a closer one that
// gets installed is followed.
import { RouteKeyList } from '../kernel/route-keys.ts';
import type { HardwareState } from '../translate/hardware-state.ts';
import { ABSENT, RouteTable } from '../translate/route-table.ts';

function mask(word: number, bits: number): number {
  if (bits >= 32) return word >>> 0;
  if (bits <= 0) return 0;
  return (word & (0xffffffff << (32 - bits))) >>> 0;
}

export type FailedVisitor = (family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number) => void;

export class Covers {
  /** Installed routes that must trap: key -> number of failed routes under them. */
  private covers = [new RouteTable(4), new RouteTable(6)];

  get size(): number {
    return this.covers[0]!.size + this.covers[1]!.size;
  }

  isCover(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): boolean {
    const t = this.covers[family === 4 ? 0 : 1]!;
    return t.size > 0 && t.get(vrf, dstLen, d0, d1, d2, d3) !== ABSENT;
  }

  /**
   * Recomputes every cover; returns the keys that became or stopped being a cover (their
   * hardware value must be written again).
   */
  recompute(forEachFailed: (visit: FailedVisitor) => void, installed: HardwareState): RouteKeyList {
    const next = [new RouteTable(4), new RouteTable(6)];
    forEachFailed((family, vrf, dstLen, d0, d1, d2, d3) => {
      const have = installed.routes(family);
      const into = next[family === 4 ? 0 : 1]!;
      const w = [d0, d1, d2, d3];
      for (let len = dstLen - 1; len >= 0; len--) {
        const m = w.map((x, k) => mask(x, len - 32 * k));
        if (have.get(vrf, len, m[0]!, m[1]!, m[2]!, m[3]!) === ABSENT) continue;
        const n = into.get(vrf, len, m[0]!, m[1]!, m[2]!, m[3]!);
        into.set(vrf, len, m[0]!, m[1]!, m[2]!, m[3]!, n === ABSENT ? 1 : n + 1);
        break;
      }
    });
    const changed = new RouteKeyList();
    for (let i = 0; i < 2; i++) {
      const [a, b] = [this.covers[i]!, next[i]!];
      const diff = (x: RouteTable, y: RouteTable) => x.forEach((s) => {
        const k = [x.vrfOf(s), x.dstLenOf(s), x.word(s, 0), x.word(s, 1), x.word(s, 2), x.word(s, 3)] as const;
        if (y.get(...k) === ABSENT) changed.push(x.family, ...k);
      });
      diff(a, b);
      diff(b, a);
    }
    this.covers = next;
    return changed;
  }
}
