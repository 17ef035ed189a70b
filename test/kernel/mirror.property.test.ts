// Random sequences of ip commands in a namespace (fast-check): after each sequence the mirror
// equals a fresh dump and iproute2's counts. Commands that the kernel refuses are skipped
// (ip -force), as an operator's typos would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';

const gw4 = fc.constantFrom('192.168.0.1', '192.168.0.3', '192.168.1.1');
const gw6 = fc.constantFrom('2001:db8:a::1', '2001:db8:b::1');
const table = fc.constantFrom('', ' table 100', ' table 1000');
const metric = fc.constantFrom('', ' metric 10');
const p4 = fc.integer({ min: 1, max: 6 }).map((x) => `10.${x}.0.0/16`);
const p6 = fc.integer({ min: 1, max: 4 }).map((x) => `2001:db8:${x}::/48`);
const dev = fc.constantFrom('a0', 'b0');
const nhid = fc.integer({ min: 1, max: 4 });

const command = fc.oneof(
  fc.tuple(fc.constantFrom('add', 'replace', 'append', 'prepend'), p4, gw4, table, metric).map(([v, p, g, t, m]) => `route ${v} ${p} via ${g}${t}${m}`),
  fc.tuple(p4, table, metric).map(([p, t, m]) => `route del ${p}${t}${m}`),
  fc.tuple(p4, gw4, gw4, table).map(([p, a, b, t]) => `route add ${p}${t} nexthop via ${a} weight 2 nexthop via ${b}`),
  fc.tuple(fc.constantFrom('blackhole', 'unreachable', 'prohibit'), p4, table).map(([k, p, t]) => `route add ${k} ${p}${t}`),
  fc.tuple(fc.constantFrom('add', 'append', 'replace'), p6, gw6, metric).map(([v, p, g, m]) => `route ${v} ${p} via ${g}${m}`),
  fc.tuple(p6, gw6).map(([p, g]) => `route del ${p} via ${g}`),
  fc.tuple(dev, fc.constantFrom('up', 'down')).map(([d, s]) => `link set ${d} ${s}`),
  fc.tuple(fc.constantFrom('add', 'del'), fc.constantFrom('192.168.0.2/24 dev a0', '192.168.1.2/24 dev b0', '192.168.0.9/24 dev a0')).map(([v, a]) => `addr ${v} ${a}`),
  fc.tuple(nhid, gw4, dev).map(([id, g, d]) => `nexthop replace id ${id} via ${g} dev ${d}`),
  fc.tuple(nhid, nhid).map(([a, b]) => (a === b ? `nexthop del id ${a}` : `nexthop replace id 10 group ${a}/${b},3`)),
  fc.tuple(p4, fc.constantFrom(1, 2, 10)).map(([p, id]) => `route replace ${p} nhid ${id}`),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02')).map(([h, mac]) => `neigh replace 192.168.0.${h} lladdr ${mac} dev a0 nud permanent`),
  fc.tuple(fc.constantFrom('add', 'del'), fc.integer({ min: 100, max: 103 })).map(([v, pref]) => `rule ${v} pref ${pref} table 100`),
);

describe('kernel mirror, random command sequences', () => {
  let ns: Netns;
  let child: NsChild;
  beforeAll(async () => {
    ns = Netns.create('mirror-prop');
    ns.batch([
      'link add a0 type veth peer name a1', 'link add b0 type veth peer name b1',
      'link set a0 up', 'link set a1 up', 'link set b0 up', 'link set b1 up',
      'addr add 192.168.0.2/24 dev a0', 'addr add 192.168.1.2/24 dev b0',
      'addr add 2001:db8:a::2/64 dev a0 nodad', 'addr add 2001:db8:b::2/64 dev b0 nodad',
    ]);
    child = NsChild.start(ns, 'mirror-check.ts');
    expect(await child.next()).toBe('ready');
  });
  afterAll(() => {
    NsChild.killAll();
    ns?.destroy();
  });

  it('equals the kernel after every sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (cmds) => {
        ns.batch(cmds, { force: true });
        child.write('check');
        const result = await child.next();
        if (result !== 'ok') throw new Error(`after:\n${cmds.join('\n')}\n${result}`);
      }),
      { numRuns: 25 },
    );
  });
});
