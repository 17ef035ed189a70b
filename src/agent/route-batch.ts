// One Write's worth of route updates in typed arrays: a full sync sends a million of them, and
// an object per update (and its garbage) would cost more than the rest of the agent's work.
import { UpdateType } from '../driver/wire.ts';
import { RouteTarget, type UpdateEncoder, type EncodedUpdates } from '../driver/update-encoder.ts';
import type { HwRoute, Op } from '../translate/updates.ts';
import { actionOf, kindOf, targetOf, type RouteValue } from '../translate/route-value.ts';
import { Action } from '../driver/wire.ts';

const OP_TYPE: Record<Op, number> = { insert: UpdateType.INSERT, modify: UpdateType.MODIFY, delete: UpdateType.DELETE };
const TYPE_OP: Op[] = ['insert', 'insert', 'modify', 'delete'];
const TARGET_FIELD = [RouteTarget.None, RouteTarget.NextHop, RouteTarget.Group, RouteTarget.Rif];

export class RouteBatch {
  length = 0;
  readonly type: Uint8Array;
  readonly family: Uint8Array;
  readonly vrf: Uint32Array;
  readonly dstLen: Uint8Array;
  readonly dst: Uint32Array;
  /** The new value (insert, modify) or the installed one (delete). */
  readonly value: Float64Array;
  /** When the key became work (performance.now()), 0 when unknown. */
  readonly since: Float64Array;

  constructor(readonly capacity: number) {
    this.type = new Uint8Array(capacity);
    this.family = new Uint8Array(capacity);
    this.vrf = new Uint32Array(capacity);
    this.dstLen = new Uint8Array(capacity);
    this.dst = new Uint32Array(capacity * 4);
    this.value = new Float64Array(capacity);
    this.since = new Float64Array(capacity);
  }

  push(op: Op, family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue, since: number): void {
    const i = this.length++;
    this.type[i] = OP_TYPE[op];
    this.family[i] = family;
    this.vrf[i] = vrf;
    this.dstLen[i] = dstLen;
    this.dst[i * 4] = d0;
    this.dst[i * 4 + 1] = d1;
    this.dst[i * 4 + 2] = d2;
    this.dst[i * 4 + 3] = d3;
    this.value[i] = value;
    this.since[i] = since;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  op(i: number): Op {
    return TYPE_OP[this.type[i]!]!;
  }

  encode(enc: UpdateEncoder): EncodedUpdates {
    for (let i = 0; i < this.length; i++) {
      const v = this.value[i]!;
      const action = actionOf(v);
      const forward = action === Action.ACTION_FORWARD;
      enc.route(this.type[i]!, this.vrf[i]!, this.family[i] as 4 | 6, this.dstLen[i]!, this.dst[i * 4]!, this.dst[i * 4 + 1]!,
        this.dst[i * 4 + 2]!, this.dst[i * 4 + 3]!, action, forward ? TARGET_FIELD[kindOf(v)]! : RouteTarget.None, forward ? targetOf(v) : 0);
    }
    return enc.finish();
  }

  /** Update i as a plain route (for the failure path and logs). */
  route(i: number): HwRoute {
    return {
      family: this.family[i] as 4 | 6, vrfId: this.vrf[i]!, dstLen: this.dstLen[i]!,
      d0: this.dst[i * 4]!, d1: this.dst[i * 4 + 1]!, d2: this.dst[i * 4 + 2]!, d3: this.dst[i * 4 + 3]!, value: this.value[i]!,
    };
  }
}
