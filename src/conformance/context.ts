// What a case gets: the session (primary, deadline-bound calls), the driver's capabilities,
// fixtures built from them, and helpers for the checks nearly every case makes.
import type { v1 } from '../driver/wire.ts';
import { Code } from '../driver/wire.ts';
import { expectSameEntities, expectStatuses, fail } from './assert.ts';
import { Fixtures, insert } from './fixtures.ts';
import type { Session } from './session.ts';

export interface Case {
  /** "group/what-it-checks"; --only matches against it. */
  name: string;
  run(ctx: CaseContext): Promise<void>;
}

export class CaseContext {
  readonly fx: Fixtures;
  readonly notes: string[] = [];
  private readonly closers: (() => void)[] = [];

  constructor(readonly s: Session, readonly caps: v1.CapabilitiesResponse) {
    this.fx = new Fixtures(caps);
  }

  /** Says something about a passing case (e.g. a part skipped and why). */
  note(text: string): void {
    this.notes.push(text);
  }

  /** Registers something to close when the case ends, however it ends. */
  track<T extends { close(): void }>(x: T): T {
    this.closers.push(() => x.close());
    return x;
  }

  closeTracked(): void {
    for (const c of this.closers.splice(0).reverse()) {
      try {
        c();
      } catch {
        // already closed
      }
    }
  }

  /** Inserts entities that must all succeed, in batches. */
  async install(entities: v1.IEntity[], what = 'setup'): Promise<void> {
    await this.s.apply(entities.map(insert), what);
  }

  /** Everything installed, as Read returns it. */
  snapshot(): Promise<v1.Entity[]> {
    return this.s.read();
  }

  /** The tables must hold exactly `before` (a failed write changed nothing). */
  async expectUnchanged(before: v1.IEntity[], what: string): Promise<void> {
    expectSameEntities(await this.s.read(), before, `${what}: tables changed`);
  }

  /** Writes `updates` (stop on error), expects `codes` and, when told, unchanged tables. */
  async expectWrite(updates: v1.IUpdate[], codes: Code[], what: string, opts: { unchanged?: boolean; continueOnError?: boolean } = {}): Promise<v1.IUpdateStatus[]> {
    const before = opts.unchanged ? await this.snapshot() : null;
    const statuses = await this.s.write(updates, opts.continueOnError ?? false);
    expectStatuses(statuses, codes, what);
    if (before) await this.expectUnchanged(before, what);
    return statuses;
  }

  /** Current usage of `table` from Capabilities. */
  async usage(table: v1.Table): Promise<{ used: number; capacity: number }> {
    const caps = await this.s.capabilities();
    const u = caps.tables.find((t) => t.table === table);
    if (!u) fail(`Capabilities has no TableUsage for table ${table}`);
    return { used: Number(u.used), capacity: Number(u.capacity) };
  }
}
