// Bad input against a real hwsim process: requests whose bytes do not decode, lying gRPC frames,
// raw HTTP/2 garbage, huge repeated fields, and thousands of mutated valid Writes.
//
// What must hold after every input: hwsim still runs and answers Capabilities; an input that
// is not a valid request is refused (INVALID_ARGUMENT for bytes that do not decode) and changes
// nothing (Read and Stats as before, not even the Write counter moves); an input that decodes
// to a request applies exactly as that request applies to a reference device (hwsim/asic.ts
// in this process, fed what the generated decoder reads from the same bytes): the same
// per-update statuses, the same counters, the same tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientHttp2Session } from 'node:http2';
import { connect } from 'node:net';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { Asic, AsicError } from '../../hwsim/asic.ts';
import { makeConfig } from '../../hwsim/config.ts';
import { WriteBatch } from '../../hwsim/write-batch.ts';
import { DriverClient, SimulatorClient, type DriverStream } from '../../src/driver/client.ts';
import { Code, pb, simpb, UpdateType, type simv1, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { decodes, frame, MALFORMED, rawCall, rawSession, unframe } from './raw-grpc.ts';
import { encodeWrite, mutate, Rng, validWrite } from './write-fuzz.ts';

const ELECTION = 7;
const MAX_UPDATES = 2000;
/** Mutated Writes per run (FUZZ_WRITES to change it; FUZZ_SEED for another sequence). */
const WRITES = Number(process.env.FUZZ_WRITES ?? 5000);
/** Mutated Read, Lookup and LookupBatch requests per run (FUZZ_QUERIES). */
const QUERIES = Number(process.env.FUZZ_QUERIES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

const DRIVER = '/vrfsync.driver.v1.Driver';
const SIM = '/vrfsync.hwsim.v1.Simulator';

/** Each method with its request type and one valid request. */
const METHODS: [string, { decode(b: Uint8Array): unknown }, Buffer][] = [
  [`${DRIVER}/Capabilities`, pb.CapabilitiesRequest, Buffer.alloc(0)],
  [`${DRIVER}/Write`, pb.WriteRequest, encodeWrite({ electionId: ELECTION, updates: [{ type: UpdateType.INSERT, entity: { vrf: { id: 99, name: 'x' } } }] })],
  [`${DRIVER}/Read`, pb.ReadRequest, Buffer.alloc(0)],
  [`${SIM}/Lookup`, simpb.LookupRequest, Buffer.from(simpb.LookupRequest.encode({ vrfId: 0, destination: { ipv4: 1 } }).finish())],
  [`${SIM}/LookupBatch`, simpb.LookupBatchRequest, Buffer.alloc(0)],
  [`${SIM}/InjectFault`, simpb.FaultRequest, Buffer.alloc(0)],
  [`${SIM}/Reset`, simpb.ResetRequest, Buffer.alloc(0)],
  [`${SIM}/Stats`, simpb.StatsRequest, Buffer.alloc(0)],
  [`${SIM}/SetPortState`, simpb.SetPortStateRequest, Buffer.alloc(0)],
];

const varint = (n: number) => {
  const out: number[] = [];
  for (; n >= 128; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return Buffer.from(out);
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const entitiesOf = (es: v1.IEntity[]) => es.map((e) => hex(pb.Entity.encode(e).finish()));
const statusOf = (s: v1.IUpdateStatus) => hex(pb.UpdateStatus.encode(s).finish());
/** What Stats says about writes and tables (reads and lookups are the harness's own). */
const writeStats = (s: simv1Stats) => ({
  writes: Number(s.writes), updates: Number(s.updates),
  updatesByCode: Object.fromEntries(Object.entries(s.updatesByCode ?? {}).map(([k, v]) => [k, Number(v)]).sort()),
  tables: (s.tables ?? []).map((t) => `${t.table}:${t.used}/${t.capacity}`),
});
type simv1Stats = { writes?: unknown; updates?: unknown; updatesByCode?: Record<string, unknown> | null; tables?: v1.ITableUsage[] | null };

const SEED_STATE: v1.IUpdate[] = [
  { vrf: { id: 1, name: 'red' } }, { vrf: { id: 2, name: 'blue' } },
  { routerInterface: { id: 1, vrfId: 1, portId: 1, mac: Buffer.from([2, 0, 0, 0, 0, 1]), mtu: 1500, adminUp: true } },
  { routerInterface: { id: 2, vrfId: 2, portId: 2, mac: Buffer.from([2, 0, 0, 0, 0, 2]), mtu: 1500, adminUp: true } },
  { routerInterface: { id: 3, vrfId: 0, portId: 3, mac: Buffer.from([2, 0, 0, 0, 0, 3]), mtu: 9000, adminUp: true } },
  { neighbor: { rifId: 1, ip: { ipv4: 0x0a000001 }, mac: Buffer.from([2, 0, 0, 0, 1, 1]) } },
  { nextHop: { id: 1, rifId: 1, ip: { ipv4: 0x0a000001 } } },
  { nextHop: { id: 2, rifId: 2, ip: { ipv4: 0x0a000102 } } },
  { nextHop: { id: 3, rifId: 3, ip: { ipv4: 0x0a000203 } } },
  { nextHopGroup: { id: 1, members: [{ nextHopId: 1, weight: 1 }, { nextHopId: 3, weight: 2 }] } },
  { route: { vrfId: 1, prefix: { ipv4: 0x0a010000, length: 16 }, action: 1, nextHopId: 1 } },
  { route: { vrfId: 0, prefix: { ipv4: 0, length: 0 }, action: 1, groupId: 1 } },
  { route: { vrfId: 2, prefix: { ipv4: 0x0a020000, length: 16 }, action: 2 } },
].map((entity) => ({ type: UpdateType.INSERT, entity }));

describe('hwsim under bad input', () => {
  let hw: HwsimProcess;
  let client: DriverClient;
  let sim: SimulatorClient;
  let stream: DriverStream;
  let h2: ClientHttp2Session;

  const snapshot = async () => ({ entities: entitiesOf(await client.readAll()), stats: writeStats(await sim.stats()) });
  /** hwsim runs, answers Capabilities, and its tables and write counters are `before`. */
  const unchanged = async (before: Awaited<ReturnType<typeof snapshot>>, what: string) => {
    expect(hw.proc.exitCode, `${what}: hwsim exited`).toBeNull();
    expect((await client.capabilities(5000)).ports.length, what).toBe(32);
    expect(await snapshot(), what).toEqual(before);
  };

  beforeAll(async () => {
    hw = await startHwsim(['--max-updates-per-write', String(MAX_UPDATES)]);
    client = new DriverClient(hw.address);
    sim = new SimulatorClient(hw.address);
    stream = client.openStream();
    expect((await stream.arbitrate(ELECTION, 'fuzz')).code ?? 0).toBe(Code.OK);
    const r = await client.write({ electionId: ELECTION, updates: SEED_STATE });
    expect(r.statuses.map((s) => s.code ?? 0)).toEqual(SEED_STATE.map(() => 0));
    h2 = rawSession(hw.address);
  });
  afterAll(async () => {
    h2?.close();
    stream?.close();
    client?.close();
    sim?.close();
    await hw?.stop();
  });

  it('refuses a request that does not decode with INVALID_ARGUMENT on every method, and changes nothing', async () => {
    const before = await snapshot();
    let refused = 0;
    for (const [path, type, valid] of METHODS) {
      // Malformed bytes alone, after a valid request, and inside one.
      const inputs = MALFORMED.flatMap(([name, bad]) => [
        [name, bad], [`valid + ${name}`, Buffer.concat([valid, bad])], [`${name} + valid`, Buffer.concat([bad, valid])],
      ] as [string, Buffer][]);
      for (const [name, bytes] of inputs) {
        // Only bytes the generated decoder refuses are invalid here; the rest are other requests.
        if (decodes(type, bytes)) continue;
        const a = await rawCall(h2, path, [frame(bytes)]);
        expect({ path, name, code: a.code }).toEqual({ path, name, code: grpc.status.INVALID_ARGUMENT });
        expect(a.message).toMatch(/^malformed /);
        refused++;
      }
    }
    // Health checks too.
    const h = await rawCall(h2, '/grpc.health.v1.Health/Check', [frame(Buffer.of(0x08))]);
    expect(h.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(refused).toBeGreaterThan(METHODS.length * MALFORMED.length);
    await unchanged(before, 'after malformed requests');
  });

  it('ends a StreamChannel that sends bytes that do not decode, and keeps the primary', async () => {
    const before = await snapshot();
    const valid = Buffer.from(pb.StreamMessageRequest.encode({ arbitration: { electionId: 3, clientName: 'x' } }).finish());
    for (const [name, bad] of MALFORMED) {
      if (decodes(pb.StreamMessageRequest, bad)) continue;
      // Alone, and after a valid arbitration (a backup's: id 3).
      const a = await rawCall(h2, `${DRIVER}/StreamChannel`, [frame(bad)]);
      expect({ name, code: a.code }).toEqual({ name, code: grpc.status.INVALID_ARGUMENT });
      const b = await rawCall(h2, `${DRIVER}/StreamChannel`, [frame(valid), frame(bad)], { endStream: false });
      expect({ name, code: b.code }).toEqual({ name, code: grpc.status.INVALID_ARGUMENT });
      const answers = unframe(b.body).map((m) => pb.StreamMessageResponse.decode(m));
      expect(answers[0]?.arbitration).toMatchObject({ code: Code.ALREADY_EXISTS, primaryElectionId: ELECTION });
    }
    // The primary's Writes still go through.
    const w = await client.write({ electionId: ELECTION, updates: [{ type: UpdateType.MODIFY, entity: { vrf: { id: 1, name: 'red' } } }] });
    expect(w.statuses[0]?.code ?? 0).toBe(Code.OK);
    before.stats.writes++;
    before.stats.updates++;
    before.stats.updatesByCode = { ...before.stats.updatesByCode, OK: before.stats.updatesByCode.OK! + 1 };
    await unchanged(before, 'after malformed stream messages');
  });

  it('survives lying frames and HTTP/2 garbage: refused, nothing applied, still serving', async () => {
    const before = await snapshot();
    const W = `${DRIVER}/Write`;
    // Each case on a raw HTTP/2 connection that is the primary (it arbitrated on a StreamChannel
    // of its own), so that no refusal is only PERMISSION_DENIED. Inside the frames, a valid
    // Write that changes no table (VRF 1 renamed to its own name).
    let nextId = 100;
    const asPrimary = async <T>(fn: (s: ClientHttp2Session, valid: Buffer) => Promise<T>): Promise<T> => {
      const id = nextId++;
      const s = rawSession(hw.address);
      const channel = s.request({ ':method': 'POST', ':path': `${DRIVER}/StreamChannel`, 'content-type': 'application/grpc', te: 'trailers' });
      channel.on('error', () => {});
      channel.write(frame(pb.StreamMessageRequest.encode({ arbitration: { electionId: id, clientName: 'raw' } }).finish()));
      const [answer] = (await once(channel, 'data')) as [Buffer];
      expect(pb.StreamMessageResponse.decode(unframe(answer)[0]!).arbitration?.code ?? 0).toBe(Code.OK);
      try {
        return await fn(s, encodeWrite({ electionId: id, updates: [{ type: UpdateType.MODIFY, entity: { vrf: { id: 1, name: 'red' } } }] }));
      } finally {
        s.destroy();
      }
    };
    // Frames the gRPC protocol forbids. Each is refused, whatever the message inside.
    const refused: [string, (valid: Buffer) => Buffer[], Record<string, string>?][] = [
      ['a length prefix past the body', (v) => [frame(v, { length: v.length + 100 })]],
      ['a frame cut inside its prefix', (v) => [frame(v).subarray(0, 3)]],
      ['a length prefix of 2^32-1', (v) => [frame(v, { length: 0xffffffff })]],
      ['a message over the size limit', () => [frame(Buffer.alloc(17 * 1024 * 1024, 0x0f))]],
      ['a gzip encoding over bytes that are not gzip', (v) => [frame(v, { compressed: true })], { 'grpc-encoding': 'gzip' }],
      ['an unknown encoding', (v) => [frame(v, { compressed: true })], { 'grpc-encoding': 'zstd-nope' }],
      ['two requests to a unary method', (v) => [frame(v), frame(v)]],
      ['no request at all', () => []],
      ['a bad grpc-timeout', (v) => [frame(v)], { 'grpc-timeout': 'soon' }],
      ['a content-type that is not gRPC', (v) => [frame(v)], { 'content-type': 'text/plain' }],
      ['an unknown method', (v) => [frame(v)], { ':path': `${DRIVER}/Erase` }],
      ['a GET', () => [], { ':method': 'GET' }],
      // grpc-js read these as uncompressed and applied them (patches/@grpc+grpc-js+*.patch).
      ['the compressed flag with no grpc-encoding', (v) => [frame(v, { compressed: true })]],
      ['flag byte 0x80', (v) => [Buffer.concat([Buffer.of(0x80), frame(v).subarray(1)])]],
    ];
    for (const [name, chunks, headers] of refused) {
      const a = await asPrimary((s, valid) => rawCall(s, W, chunks(valid), { headers }));
      expect({ name, refused: a.code !== 0 }).toEqual({ name, refused: true });
    }
    // The fuzz client is primary again once the raw ones are gone.
    await expect.poll(async () => (await stream.arbitrate(ELECTION, 'fuzz')).code ?? 0).toBe(Code.OK);
    // Bytes that are not HTTP/2, and HTTP/2 that breaks off, each on a connection of its own.
    const socket = hw.address.slice('unix:'.length);
    for (const junk of [
      Buffer.from('POST /vrfsync.driver.v1.Driver/Write HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello'),
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), // the preface and then nothing
      Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.of(0, 0, 0, 4, 0, 0, 0, 0, 0), Buffer.alloc(64 * 1024, 0xee)]),
      Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.of(0xff, 0xff, 0xff, 0x01, 0x04, 0x00, 0x00, 0x00, 0x01)]), // a 16 MiB HEADERS frame header
    ]) {
      const s = connect(socket);
      await once(s, 'connect');
      s.on('error', () => {});
      s.end(junk);
      await Promise.race([once(s, 'close'), new Promise((r) => setTimeout(r, 300))]);
      s.destroy();
    }
    // A client that goes away mid-request, twenty times.
    for (let i = 0; i < 20; i++) {
      const s = rawSession(hw.address);
      s.on('error', () => {});
      const req = s.request({ ':method': 'POST', ':path': `${DRIVER}/Write`, 'content-type': 'application/grpc', te: 'trailers' });
      req.on('error', () => {});
      req.write(frame(Buffer.alloc(40, 0x0a), { length: 50 }));
      s.destroy();
    }
    await unchanged(before, 'after lying frames and garbage');
  });

  it('refuses huge repeated fields whole, without applying any of them', async () => {
    const before = await snapshot();
    const many = (n: number) => encodeWrite({
      electionId: ELECTION,
      updates: Array.from({ length: n }, (_, i) => ({ type: UpdateType.INSERT, entity: { vrf: { id: 100 + (i % 3000), name: `v${i}` } } })),
    });
    // More updates than the device takes in one Write: whole call INVALID_ARGUMENT.
    // (On the primary's connection: a Write from any other is PERMISSION_DENIED first.)
    for (const n of [MAX_UPDATES + 1, 200_000]) {
      const code = await client.write(many(n)).then(() => 0, (err: grpc.ServiceError) => err.code);
      expect({ n, code }).toEqual({ n, code: grpc.status.INVALID_ARGUMENT });
    }
    // A group with 100,000 members is one update, refused by the device.
    const group = await client.write({ electionId: ELECTION, updates: [{ type: UpdateType.INSERT, entity: { nextHopGroup: { id: 9, members: Array.from({ length: 100_000 }, (_, i) => ({ nextHopId: 1 + (i % 3), weight: 1 })) } } }] });
    expect(group.statuses[0]?.code).not.toBe(Code.OK);
    before.stats.writes++;
    before.stats.updates++;
    const c = String(Code[group.statuses[0]!.code!]);
    before.stats.updatesByCode = Object.fromEntries(Object.entries({ ...before.stats.updatesByCode, [c]: (before.stats.updatesByCode[c] ?? 0) + 1 }).sort());
    // Deep nesting in unknown fields of a valid update (VRF 1 renamed to its own name: no table
    // change): 10,000 length-delimited fields one inside the other, and 50,000 balanced groups.
    // Refused (INVALID_ARGUMENT) exactly when the generated decoder refuses it, else applied.
    const rename = pb.Update.encode({ type: UpdateType.MODIFY, entity: { vrf: { id: 1, name: 'red' } } }).finish();
    let nested: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 10_000; i++) nested = Buffer.concat([Buffer.of(0x7a), varint(nested.length), nested]); // field 15, LEN
    const groups = Buffer.concat([Buffer.alloc(50_000, 0x7b), Buffer.alloc(50_000, 0x7c)]); // field 15 start/end group
    for (const [name, junk] of [['nested LEN fields', nested], ['nested groups', groups]] as const) {
      const update = Buffer.concat([rename, junk]);
      const bytes = Buffer.concat([Buffer.of(0x08, ELECTION, 0x12), varint(update.length), update]);
      const code = await client.write(bytes).then((res) => (res.statuses[0]?.code ?? 0) === Code.OK ? 0 : -1, (err: grpc.ServiceError) => err.code);
      expect({ name, code }).toEqual({ name, code: decodes(pb.WriteRequest, bytes) ? 0 : grpc.status.INVALID_ARGUMENT });
      if (code === 0) {
        before.stats.writes++;
        before.stats.updates++;
        before.stats.updatesByCode = { ...before.stats.updatesByCode, OK: before.stats.updatesByCode.OK! + 1 };
      }
    }
    // A Read asking for a million types and a batch of 100,000 lookups are valid: answered.
    const types = Buffer.from(pb.ReadRequest.encode({ types: Array.from({ length: 1_000_000 }, (_, i) => 1 + (i % 6)) }).finish());
    const read = await rawCall(h2, `${DRIVER}/Read`, [frame(types)]);
    expect(read.code).toBe(0);
    const lookups = await sim.lookupBatch({ lookups: Array.from({ length: 100_000 }, (_, i) => ({ vrfId: i % 3, destination: { ipv4: i } })) });
    expect(lookups.results.length).toBe(100_000);
    await unchanged(before, 'after huge repeated fields');
  });

  it(`applies ${WRITES} mutated Writes exactly as the reference device does, refusing those that do not decode`, async () => {
    const config = makeConfig({ maxUpdatesPerWrite: MAX_UPDATES });
    // The reference device starts where hwsim is: the same tables, the same counters.
    await sim.reset('fuzz');
    const model = new Asic(config);
    const seeded = await client.write({ electionId: ELECTION, updates: SEED_STATE });
    expect(seeded.statuses.map((s) => s.code ?? 0)).toEqual(model.write(SEED_STATE, false).map((s) => s.code ?? 0));
    const r = new Rng(SEED);
    const tally = { malformed: 0, denied: 0, tooMany: 0, applied: 0, updatesOk: 0, updatesRefused: 0 };
    const started = Date.now();
    let donor = encodeWrite(validWrite(r, ELECTION));
    for (let i = 0; i < WRITES; i++) {
      const valid = encodeWrite(validWrite(r, ELECTION));
      const bytes = r.chance(0.1) ? valid : mutate(r, valid, donor);
      donor = valid;
      const where = `seed ${SEED}, input ${i}: ${hex(bytes)}`;

      // What the request is, to the generated decoder.
      let req: v1.WriteRequest | null = null;
      try {
        req = pb.WriteRequest.decode(bytes);
      } catch {
        req = null;
      }
      let expected: { code: number; statuses?: string[] };
      if (!req) expected = { code: grpc.status.INVALID_ARGUMENT };
      else if (Number(req.electionId ?? 0) !== ELECTION) expected = { code: grpc.status.PERMISSION_DENIED };
      else if (req.updates.length > MAX_UPDATES) expected = { code: grpc.status.INVALID_ARGUMENT };
      else expected = { code: 0, statuses: model.writeBatch(WriteBatch.ofUpdates(req.updates), req.continueOnError).map(statusOf) };

      let got: { code: number; statuses?: string[] };
      try {
        const res = await client.write(bytes, 10_000);
        got = { code: 0, statuses: res.statuses.map(statusOf) };
      } catch (err) {
        got = { code: (err as grpc.ServiceError).code };
      }
      expect(got, where).toEqual(expected);
      if (!req) tally.malformed++;
      else if (expected.code === grpc.status.PERMISSION_DENIED) tally.denied++;
      else if (expected.code !== 0) tally.tooMany++;
      else {
        tally.applied++;
        for (const s of expected.statuses!) s === '' ? tally.updatesOk++ : tally.updatesRefused++;
      }
      // The counters after every input, the whole tables every 20 and at the end.
      expect(writeStats(await sim.stats()), where).toEqual(writeStats(model.stats()));
      if (i % 20 === 19 || i === WRITES - 1) expect(entitiesOf(await client.readAll()), where).toEqual(entitiesOf([...model.read({ types: [], vrfId: null })]));
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`hwsim fuzz: ${WRITES} mutated Writes (seed ${SEED}) in ${seconds.toFixed(1)} s: ${JSON.stringify(tally)}`);
    // The mix is worth its name: each kind of outcome shows up.
    expect(tally.malformed).toBeGreaterThan(WRITES / 10);
    expect(tally.applied).toBeGreaterThan(WRITES / 10);
    expect(tally.updatesOk).toBeGreaterThan(0);
    expect(tally.updatesRefused).toBeGreaterThan(0);
    expect(tally.denied).toBeGreaterThan(0);
    expect((await client.capabilities()).ports.length).toBe(32);
  }, 60_000 + WRITES * 10); // a long run (FUZZ_WRITES) gets the time it needs

  it(`answers ${QUERIES} mutated Read, Lookup and LookupBatch requests as the reference device does, changing nothing`, async () => {
    await sim.reset('fuzz queries');
    const model = new Asic(makeConfig({ maxUpdatesPerWrite: MAX_UPDATES }));
    const seeded = await client.write({ electionId: ELECTION, updates: SEED_STATE });
    expect(seeded.statuses.map((s) => s.code ?? 0)).toEqual(model.write(SEED_STATE, false).map((s) => s.code ?? 0));
    const before = await snapshot();
    const r = new Rng(SEED + 1);
    const ip = () => (r.chance(0.7) ? { ipv4: (0x0a000000 | (r.int(4) << 16) | r.int(65536)) >>> 0 } : { ipv6: Buffer.from([0x20, 1, 0xd, 0xb8, r.int(4), ...Array.from({ length: 11 }, () => r.int(256))]) });
    const lookup = (): simv1.ILookupRequest => ({
      ...(r.chance(0.5) ? { vrfId: r.int(4) } : { vrfName: r.pick(['red', 'blue', 'default', '', 'nope']) }),
      destination: ip(), ...(r.chance(0.3) ? { source: ip() } : {}),
    });
    // What the server does with each decoded request (drivers/hwsim/server.ts), on the reference device.
    const query = (q: simv1.ILookupRequest) => ({ vrfId: q.vrfId ?? null, vrfName: q.vrfName, destination: q.destination, source: q.source });
    const kinds = {
      read: {
        path: `${DRIVER}/Read`, type: pb.ReadRequest,
        valid: () => pb.ReadRequest.encode({ types: Array.from({ length: r.int(3) }, () => 1 + r.int(6)), ...(r.chance(0.5) ? { vrfId: r.int(4) } : {}) }).finish(),
        answer: (q: v1.ReadRequest) => entitiesOf([...model.read({ types: q.types, vrfId: q.vrfId ?? null })]),
        got: (body: Buffer) => entitiesOf(unframe(body).flatMap((m) => pb.ReadResponse.decode(m).entities)),
      },
      lookup: {
        path: `${SIM}/Lookup`, type: simpb.LookupRequest,
        valid: () => simpb.LookupRequest.encode(lookup()).finish(),
        answer: (q: simv1.LookupRequest) => [hex(simpb.LookupResponse.encode(model.lookup(query(q))).finish())],
        got: (body: Buffer) => unframe(body).map(hex),
      },
      batch: {
        path: `${SIM}/LookupBatch`, type: simpb.LookupBatchRequest,
        valid: () => simpb.LookupBatchRequest.encode({ lookups: Array.from({ length: 1 + r.int(4) }, lookup) }).finish(),
        answer: (q: simv1.LookupBatchRequest) => [hex(simpb.LookupBatchResponse.encode({ results: q.lookups.map((l) => model.lookup(query(l))) }).finish())],
        got: (body: Buffer) => unframe(body).map(hex),
      },
    } as const;
    const tally = { malformed: 0, answered: 0, refused: 0 };
    const started = Date.now();
    let donor = Buffer.from(kinds.lookup.valid());
    for (let i = 0; i < QUERIES; i++) {
      const kind = kinds[r.pick(['read', 'lookup', 'batch'] as const)];
      const valid = Buffer.from(kind.valid());
      const bytes = r.chance(0.1) ? valid : mutate(r, valid, donor);
      donor = valid;
      const where = `seed ${SEED + 1}, query ${i} to ${kind.path}: ${hex(bytes)}`;
      let expected: { code: number; answer?: string[] };
      let req: unknown = null;
      try {
        req = kind.type.decode(bytes);
      } catch {
        req = null;
      }
      if (req === null) expected = { code: grpc.status.INVALID_ARGUMENT };
      else {
        try {
          expected = { code: 0, answer: (kind.answer as (q: unknown) => string[])(req) };
        } catch (err) {
          // Only the device's own refusals are answers; anything else would be INTERNAL: a bug.
          if (!(err instanceof AsicError)) throw new Error(`${where}: the reference device throws ${(err as Error).stack}`);
          expected = { code: err.code };
        }
      }
      const a = await rawCall(h2, kind.path, [frame(bytes)]);
      const got = a.code === 0 ? { code: 0, answer: kind.got(a.body) } : { code: a.code ?? -1 };
      expect(got, where).toEqual(expected);
      if (!req) tally.malformed++;
      else if (expected.code === 0) tally.answered++;
      else tally.refused++;
    }
    console.log(`hwsim query fuzz: ${QUERIES} mutated Read/Lookup/LookupBatch requests (seed ${SEED + 1}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(tally)}`);
    expect(tally.malformed).toBeGreaterThan(QUERIES / 10);
    expect(tally.answered).toBeGreaterThan(QUERIES / 10);
    expect(tally.refused).toBeGreaterThan(0);
    await unchanged(before, 'after mutated queries');
  }, 60_000 + QUERIES * 10);
});
