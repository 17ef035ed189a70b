// Which hardware routes the agent still has to compare (desired vs installed), coalesced per
// key: a prefix that changes ten times before the next write costs one comparison and at most
// one update. A family can be marked whole (a full sync): then every key of both states counts.
import type { RouteKeyList } from '../kernel/route-keys.ts';
import type { HardwareState } from '../translate/hardware-state.ts';
import { ABSENT, RouteTable } from '../translate/route-table.ts';
import type { HwRoute } from '../translate/updates.ts';

/**
 * `since`: when the key first became work (performance.now()), 0 when unknown (a full sync).
 * `desired`: the key's desired value when the walk already has it (a whole family's desired
 * routes), NaN when the visitor must look it up.
 */
export type KeyVisitor = (family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, since: number, desired: number) => void;

export class RouteWork {
  private keys = [new RouteTable(4), new RouteTable(6)];
  private whole = [false, false];

  /** Adds a key; a key already pending keeps its first time. */
  add(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, since = 0): void {
    const t = this.keys[family === 4 ? 0 : 1]!;
    if (t.get(vrf, dstLen, d0, d1, d2, d3) === ABSENT) t.set(vrf, dstLen, d0, d1, d2, d3, since);
  }

  addList(list: RouteKeyList, since = 0): void {
    for (const f of [4, 6] as const) if (list.isWhole(f)) this.whole[f === 4 ? 0 : 1] = true;
    for (let i = 0; i < list.length; i++) {
      this.add(list.family(i), list.table(i), list.dstLen(i), list.word(i, 0), list.word(i, 1), list.word(i, 2), list.word(i, 3), since);
    }
  }

  addRoute(r: HwRoute, since = 0): void {
    this.add(r.family, r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3, since);
  }

  markWhole(): void {
    this.whole = [true, true];
  }

  /** Forgets everything pending: a cold sync is about to write the whole desired state. */
  clear(): void {
    this.keys = [new RouteTable(4), new RouteTable(6)];
    this.whole = [false, false];
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

  /** Every key pending (not whole families). */
  forEachKey(visit: KeyVisitor): void {
    for (const t of this.keys) t.forEach((s) => visit(t.family, t.vrfOf(s), t.dstLenOf(s), t.word(s, 0), t.word(s, 1), t.word(s, 2), t.word(s, 3), t.valueOf(s), NaN));
  }

  /** Takes the pending work as a cursor; what fails is added back by the caller. */
  take(desired: HardwareState, installed: HardwareState): WorkCursor {
    const sources: Source[] = [];
    for (const f of [4, 6] as const) {
      const i = f === 4 ? 0 : 1;
      if (this.whole[i]) {
        const want = desired.routes(f);
        sources.push({ table: want, slots: want.slots(), skipIfIn: null, timed: false, desired: true });
        const have = installed.routes(f);
        if (have.size) sources.push({ table: have, slots: have.slots(), skipIfIn: want, timed: false, desired: false });
      } else if (this.keys[i]!.size) sources.push({ table: this.keys[i]!, slots: this.keys[i]!.slots(), skipIfIn: null, timed: true, desired: false });
    }
    this.keys = [new RouteTable(4), new RouteTable(6)];
    this.whole = [false, false];
    return new WorkCursor(sources);
  }
}

interface Source {
  table: RouteTable;
  /** Values are the keys' times (a key set), not route values (a whole state). */
  timed: boolean;
  /** Values are the desired ones (a whole family's desired routes). */
  desired: boolean;
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
      const { table: t, slots, skipIfIn, timed, desired } = this.sources[this.source]!;
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
      // A whole family's sources are the states themselves: their values are not times.
      visit(t.family, vrf, len, d0, d1, d2, d3, timed ? t.valueOf(s) : 0, desired ? t.valueOf(s) : NaN);
      n++;
    }
    return this.source < this.sources.length;
  }
}
