// Primary election rules, P4Runtime style, without gRPC.
import { describe, expect, it } from 'vitest';
import { Arbitration, type ArbitrationNotice, type ClientHandle } from '../../drivers/hwsim/arbitration.ts';
import { Code } from '../../src/driver/wire.ts';

function setup() {
  const heard = new Map<ClientHandle, ArbitrationNotice[]>();
  const arb = new Arbitration((c, n) => heard.set(c, [...(heard.get(c) ?? []), n]));
  const client = (name: string) => ({ name });
  const last = (c: ClientHandle) => Code[heard.get(c)?.at(-1)?.code ?? -1];
  return { arb, client, last, heard };
}

describe('arbitration', () => {
  it('makes the highest id primary and tells everyone when it changes', () => {
    const { arb, client, last } = setup();
    const a = client('a');
    const b = client('b');
    const c = client('c');
    arb.arbitrate(a, 5);
    expect(last(a)).toBe('OK');
    arb.arbitrate(b, 3);
    expect(last(b)).toBe('ALREADY_EXISTS');
    expect(arb.isPrimary(5)).toBe(true);
    expect(arb.isPrimary(3)).toBe(false);
    arb.arbitrate(c, 9);
    expect([last(a), last(b), last(c)]).toEqual(['ALREADY_EXISTS', 'ALREADY_EXISTS', 'OK']);
    expect(arb.primaryElectionId).toBe(9);
  });

  it('keeps a client without an id a backup forever', () => {
    const { arb, client, last } = setup();
    const a = client('a');
    arb.arbitrate(a, 0);
    expect(last(a)).toBe('NOT_FOUND');
    expect(arb.isPrimary(0)).toBe(false);
  });

  it('refuses an id another client holds', () => {
    const { arb, client, last } = setup();
    const a = client('a');
    const b = client('b');
    arb.arbitrate(a, 5);
    arb.arbitrate(b, 5);
    expect(last(b)).toBe('INVALID_ARGUMENT');
    expect(arb.primaryElectionId).toBe(5);
  });

  it('promotes nobody when the primary leaves; a backup re-arbitrates to take over', () => {
    const { arb, client, last } = setup();
    const a = client('a');
    const b = client('b');
    const c = client('c');
    arb.arbitrate(a, 5);
    arb.arbitrate(b, 3);
    arb.arbitrate(c, 2);
    arb.leave(a);
    expect([last(b), last(c)]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(arb.isPrimary(3)).toBe(false);
    // c is not above every other client (b has 3): still a backup.
    arb.arbitrate(c, 2);
    expect(last(c)).toBe('NOT_FOUND');
    arb.arbitrate(b, 3);
    expect([last(b), last(c)]).toEqual(['OK', 'ALREADY_EXISTS']);
    // A restarted agent with a higher id takes over from b.
    const a2 = client('a2');
    arb.arbitrate(a2, 6);
    expect([last(a2), last(b)]).toEqual(['OK', 'ALREADY_EXISTS']);
  });

  it('lets the same process come back with its old id once its old stream is gone', () => {
    const { arb, client, last } = setup();
    const old = client('agent');
    arb.arbitrate(old, 7);
    arb.leave(old);
    const again = client('agent again');
    arb.arbitrate(again, 7);
    expect(last(again)).toBe('OK');
  });

  it('takes Writes only from the connection the primary arbitrated on', () => {
    const { arb } = setup();
    const conn = {};
    const elsewhere = {};
    const a = { name: 'a', connection: conn };
    arb.arbitrate(a, 5);
    expect(arb.isPrimary(5, conn)).toBe(true);
    expect(arb.isPrimary(5, elsewhere)).toBe(false);
    expect(arb.isPrimary(5, null)).toBe(false);
    expect(arb.isPrimary(4, conn)).toBe(false);
    // A client whose connection is unknown is checked by its id alone.
    const { arb: arb2 } = setup();
    arb2.arbitrate({ name: 'b' }, 5);
    expect(arb2.isPrimary(5, elsewhere)).toBe(true);
  });
});
