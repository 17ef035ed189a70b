// Primary election by election id, as P4Runtime does it, independent of gRPC.
// - The client with the highest election id among connected clients is the primary; the
//   others are backups and cannot write. Id 0 means "none": always a backup.
// - Two connected clients may not share an id (the newcomer gets INVALID_ARGUMENT).
// - When the primary leaves, nobody is promoted: everyone is told there is no primary, and a
//   client becomes primary by sending an arbitration with an id higher than every other's.
// - Whenever the primary changes, every client hears about it.
// - A Write must come on the connection the primary arbitrated on: election ids are not
//   secrets, and a client that never arbitrated must not write by claiming the primary's.
import { Code } from '../../src/driver/wire.ts';

export interface ArbitrationNotice {
  code: Code;
  primaryElectionId: number;
  message: string;
}

export type Notify = (client: ClientHandle, notice: ArbitrationNotice) => void;

/** One client stream, as the arbitration sees it. */
export interface ClientHandle {
  readonly name: string;
  /** The connection its stream came on (any object that identifies it), when known. */
  readonly connection?: object | null;
}

export class Arbitration {
  private readonly ids = new Map<ClientHandle, number>();
  private primary: ClientHandle | null = null;

  constructor(private readonly notify: Notify) {}

  get primaryElectionId(): number {
    return this.primary ? this.ids.get(this.primary)! : 0;
  }

  /**
   * Write's check: a non-zero id that is the current primary's, from the connection the primary
   * arbitrated on (when the primary's connection is known).
   */
  isPrimary(electionId: number, connection: object | null = null): boolean {
    const p = this.primary;
    if (electionId === 0 || p === null || this.ids.get(p) !== electionId) return false;
    return !p.connection || p.connection === connection;
  }

  /** A client's arbitration message (first one or a later change of id). */
  arbitrate(client: ClientHandle, electionId: number): void {
    if (electionId !== 0) {
      for (const [other, id] of this.ids) {
        if (other !== client && id === electionId) {
          this.notify(client, { code: Code.INVALID_ARGUMENT, primaryElectionId: this.primaryElectionId, message: `election id ${electionId} is in use by another client` });
          return;
        }
      }
    }
    const wasPrimary = this.primary;
    this.ids.set(client, electionId);
    const highestOther = Math.max(0, ...[...this.ids].filter(([c]) => c !== client).map(([, id]) => id));
    if (electionId !== 0 && electionId > highestOther) this.primary = client;
    else if (this.primary === client) this.primary = null; // lowered its own id below another's
    if (this.primary !== wasPrimary) this.broadcast();
    else this.notify(client, this.noticeFor(client));
  }

  /** The client's stream ended. */
  leave(client: ClientHandle): void {
    if (!this.ids.delete(client)) return;
    if (this.primary === client) {
      this.primary = null;
      this.broadcast();
    }
  }

  private noticeFor(client: ClientHandle): ArbitrationNotice {
    const primaryElectionId = this.primaryElectionId;
    if (this.primary === client) return { code: Code.OK, primaryElectionId, message: 'primary' };
    if (this.primary) return { code: Code.ALREADY_EXISTS, primaryElectionId, message: 'backup: a primary exists' };
    return { code: Code.NOT_FOUND, primaryElectionId: 0, message: 'backup: there is no primary' };
  }

  private broadcast(): void {
    for (const c of this.ids.keys()) this.notify(c, this.noticeFor(c));
  }
}
