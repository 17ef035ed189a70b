// Which hardware routes the agent still has to compare (desired vs installed), coalesced per
// key: a prefix that changes ten times before the next write costs one comparison and at most
// one update. A family can be marked whole (a full sync): then every key of both states counts.
import type { RouteKeyList } from '../kernel/route-keys.ts';
import type { HardwareState } from '../translate/hardware-state.ts';
import { ABSENT, RouteTable } from '../translate/route-table.ts';
import type { HwRoute } from '../translate/updates.ts';

export type KeyVisitor = (family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number) => void;

export class RouteWork {
  private keys = [new RouteTable(4), new RouteTable(6)];
  private whole = [false, false];

  add(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    this.keys[family === 4 ? 0 : 1]!.set(vrf, dstLen, d0, d1, d2, d3, 1);
  }

  addList(list: RouteKeyList): void {
    for (const f of [4, 6] as const) if (list.isWhole(f)) this.whole[f === 4 ? 0 : 1] = true;
    for (let i = 0; i < list.length; i++) {
      this.add(list.family(i), list.table(i), list.dstLen(i), list.word(i, 0), list.word(i, 1), list.word(i, 2), list.word(i, 3));
    }
  }

  addRoute(r: HwRoute): void {
    this.add(r.family, r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3);
  }

  markWhole(): void {
    this.whole = [true, true];
  }

  get empty(): boolean {
    return !this.whole[0] && !this.whole[1] && this.keys[0]!.size === 0 && this.keys[1]!.size === 0;
  }

  /** How many keys are pending (a whole family counts its desired and installed routes). */
  size(desired: HardwareState, installed: HardwareState): number {
    let n = 0;
    for (const f of [4, 6] as const) {
      const i = f === 4 ? 0 : 1;
      n += this.whole[i] ? Math.max(desired.routes(f).size, installed.routes(f).size) : this.keys[i]!.size;
    }
    return n;
  }

  /** Takes the pending work as a cursor; what fails is added back by the caller. */
  take(desired: HardwareState, installed: HardwareState): WorkCursor {
    const sources: Source[] = [];
    for (const f of [4, 6] as const) {
      const i = f === 4 ? 0 : 1;
      if (this.whole[i]) {
        const want = desired.routes(f);
        sources.push({ table: want, slots: want.slots(), skipIfIn: null });
        const have = installed.routes(f);
        sources.push({ table: have, slots: have.slots(), skipIfIn: want });
      } else if (this.keys[i]!.size) sources.push({ table: this.keys[i]!, slots: this.keys[i]!.slots(), skipIfIn: null });
    }
    this.keys = [new RouteTable(4), new RouteTable(6)];
    this.whole = [false, false];
    return new WorkCursor(sources);
  }
}

interface Source {
  table: RouteTable;
  slots: Int32Array;
  /** Keys also in this table were visited already (a whole family's installed routes). */
  skipIfIn: RouteTable | null;
}

/** Walks taken work a chunk at a time, so a full sync never holds a million updates at once. */
export class WorkCursor {
  private source = 0;
  private at = 0;

  constructor(private readonly sources: Source[]) {}

  /** Visits every key not visited yet. */
  rest(visit: KeyVisitor): void {
    while (this.next(1 << 20, visit));
  }

  /** Visits up to `max` keys; returns false when the work is done. */
  next(max: number, visit: KeyVisitor): boolean {
    let n = 0;
    while (this.source < this.sources.length && n < max) {
      const { table: t, slots, skipIfIn } = this.sources[this.source]!;
      if (this.at >= slots.length) {
        this.source++;
        this.at = 0;
        continue;
      }
      const s = slots[this.at++]!;
      const vrf = t.vrfOf(s);
      const len = t.dstLenOf(s);
      const d0 = t.word(s, 0);
      const d1 = t.word(s, 1);
      const d2 = t.word(s, 2);
      const d3 = t.word(s, 3);
      if (skipIfIn && skipIfIn.get(vrf, len, d0, d1, d2, d3) !== ABSENT) continue;
      visit(t.family, vrf, len, d0, d1, d2, d3);
      n++;
    }
    return this.source < this.sources.length;
  }
}
