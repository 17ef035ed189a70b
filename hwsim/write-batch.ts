// A Write's updates as the device applies them. Route updates, which are nearly all of a full
// sync, are kept compact, one row of typed arrays each, with no object per update; every other
// update is kept as its message and goes through the generic path (Asic.applyOne).
//
// The row holds the route exactly as it came off the wire: the decoder (drivers/hwsim) only
// puts a route here when the message is one it understands completely, and validation (host
// bits, lengths, action and target) happens when the row is applied, with the same rules and
// messages as the message path.
import type { v1 } from '../src/driver/wire.ts';
import { TargetKind } from './route-table.ts';

export class WriteBatch {
  /** Updates in the batch (the row arrays may hold more: a pooled batch is reused). */
  size: number;
  /** Update.Type (1..3) of a route in compact form; 0 when `generic[i]` holds the update. */
  readonly op: Uint8Array;
  /** 4 or 6. */
  readonly family: Uint8Array;
  readonly vrf: Uint32Array;
  /** IpPrefix.length as sent (uint32: validated when applied). */
  readonly len: Uint32Array;
  /** Four words per update, network order; IPv4 uses the first (the contract's integer). */
  readonly addr: Uint32Array;
  /** Route.action as sent (an int32 enum: validated when applied). */
  readonly action: Int32Array;
  readonly kind: Uint8Array;
  readonly target: Uint32Array;
  /** Updates that are not compact routes, by index; null when there are none. */
  generic: (v1.IUpdate | undefined)[] | null = null;
  /** How many generic updates carry a route (they share the route key space with the rows). */
  genericRoutes = 0;

  /** `routes`: whether any update may be a compact route (else no rows are allocated). */
  constructor(size: number, routes = true) {
    this.size = size;
    const rows = routes ? size : 0;
    this.op = new Uint8Array(rows);
    this.family = new Uint8Array(rows);
    this.vrf = new Uint32Array(rows);
    this.len = new Uint32Array(rows);
    this.addr = new Uint32Array(rows * 4);
    this.action = new Int32Array(rows);
    this.kind = new Uint8Array(rows);
    this.target = new Uint32Array(rows);
  }

  /**
   * Batches whose Write is done, for the next ones: a full sync decodes hundreds of batches of
   * thousands of rows, and fresh arrays for each kept the GC busy.
   */
  private static readonly free: WriteBatch[] = [];

  /** A batch of `size` updates with room for as many rows, from the pool when one fits. */
  static acquire(size: number): WriteBatch {
    const b = WriteBatch.free.pop();
    if (!b || b.op.length < size) return new WriteBatch(size);
    b.size = size;
    b.generic = null;
    b.genericRoutes = 0;
    return b;
  }

  /** Hands the batch back to the pool; nothing may use it afterwards. */
  release(): void {
    if (this.op.length && WriteBatch.free.length < 8) WriteBatch.free.push(this);
  }

  /** A batch of update messages, all on the generic path. */
  static ofUpdates(updates: v1.IUpdate[]): WriteBatch {
    const b = new WriteBatch(updates.length, false);
    for (let i = 0; i < updates.length; i++) b.setGeneric(i, updates[i]!);
    return b;
  }

  setGeneric(i: number, u: v1.IUpdate): void {
    if (this.op.length) this.op[i] = 0;
    (this.generic ??= new Array(this.size))[i] = u;
    if (u.entity?.route) this.genericRoutes++;
  }

  setRoute(i: number, type: number, vrf: number, family: 4 | 6, len: number, a0: number, a1: number, a2: number, a3: number,
    action: number, kind: TargetKind, target: number): void {
    this.op[i] = type;
    this.family[i] = family;
    this.vrf[i] = vrf;
    this.len[i] = len;
    const o = i * 4;
    this.addr[o] = a0;
    this.addr[o + 1] = a1;
    this.addr[o + 2] = a2;
    this.addr[o + 3] = a3;
    this.action[i] = action;
    this.kind[i] = kind;
    this.target[i] = target;
  }

  /** Update `i` as a message, as the generated decoder would have produced it. */
  update(i: number): v1.IUpdate {
    const g = this.generic?.[i];
    if (g || !this.op[i]) return g!;
    const o = i * 4;
    let ipv6: Buffer | undefined;
    if (this.family[i] === 6) {
      ipv6 = Buffer.allocUnsafe(16);
      for (let k = 0; k < 4; k++) ipv6.writeUInt32BE(this.addr[o + k]!, k * 4);
    }
    const route: v1.IRoute = {
      prefix: ipv6 ? { ipv6, length: this.len[i]! } : { ipv4: this.addr[o]!, length: this.len[i]! },
    };
    if (this.vrf[i]) route.vrfId = this.vrf[i]!;
    if (this.action[i]) route.action = this.action[i]!;
    const kind = this.kind[i] as TargetKind;
    if (kind === TargetKind.NextHop) route.nextHopId = this.target[i]!;
    else if (kind === TargetKind.Group) route.groupId = this.target[i]!;
    else if (kind === TargetKind.Rif) route.rifId = this.target[i]!;
    return { type: this.op[i]!, entity: { route } };
  }

  /**
   * The duplicate-detection key of row `i`, spelled as Tables.keyOf spells a route's: only
   * needed when generic route updates share the batch with rows.
   */
  keyText(i: number): string {
    const o = i * 4;
    let addr = String(this.addr[o]);
    if (this.family[i] === 6) {
      addr = '';
      for (let k = 0; k < 4; k++) addr += this.addr[o + k]!.toString(16).padStart(8, '0');
    }
    return `R${this.vrf[i]}/${addr}/${this.len[i]}`;
  }
}
