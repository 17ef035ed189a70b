// The captures are pcap files Wireshark reads: tshark decodes every packet as Linux netlink and
// every message as rtnetlink, sees the same messages the replay reads, and tells dumps from
// events (requests flagged Request|Dump, replies Multipart with their request's sequence).
// Without tshark this test fails (.ci/run installs it): it never skips.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countMessages } from '../../src/netlink/datagrams.ts';
import { CaptureReader } from '../../src/record/capture.ts';
import { capturePath } from './replay-helpers.ts';
import { SCENARIOS } from './scenarios.ts';

const NLM_F_REQUEST = 0x1;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP = 0x300;

function tshark(file: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.error) throw new Error(`tshark is not installed (apt-get install tshark; .ci/run installs it): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`tshark -r ${file} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
}

describe('tshark reads the captures', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: every message decoded as rtnetlink, dumps and events apart`, () => {
      const file = capturePath(s.name);
      const ours: { kind: string; messages: number; seq: number }[] = [];
      const reader = CaptureReader.open(file);
      for (let d = reader.next(); d; d = reader.next()) ours.push({ kind: d.kind, messages: countMessages(d.datagram), seq: d.datagram.readUInt32LE(8) });
      reader.close();

      const rows = tshark(file, ['frame.protocols', 'netlink.hatype', 'netlink.family', 'netlink.hdr_len', 'netlink.hdr_type', 'netlink-route.nltype', 'netlink.hdr_flags', 'netlink.hdr_seq']);
      expect(rows).toHaveLength(ours.length);
      let routeMessages = 0;
      rows.forEach(([protocols, hatype, family, lens, control, route, flags, seqs], i) => {
        const d = ours[i]!;
        expect(hatype).toBe('824');
        expect(family).toBe('0x0000');
        expect(lens!.split(',')).toHaveLength(d.messages);
        // Every message is a control message (NLMSG_DONE) or decoded as rtnetlink.
        const routeTypes = route ? route.split(',') : [];
        const controlTypes = control ? control.split(',') : [];
        expect(routeTypes.length + controlTypes.length).toBe(d.messages);
        expect(protocols).toMatch(/^netlink:/);
        expect(protocols).not.toMatch(/malformed/);
        if (routeTypes.length) expect(protocols).toContain(':netlink-route');
        routeMessages += routeTypes.length;
        const f = flags!.split(',').map(Number);
        const q = seqs!.split(',').map(Number);
        expect(q[0]).toBe(d.seq);
        if (d.kind === 'request') expect(f.every((x) => (x & NLM_F_REQUEST) && (x & NLM_F_DUMP) === NLM_F_DUMP)).toBe(true);
        if (d.kind === 'reply') expect(f.every((x) => x & NLM_F_MULTI)).toBe(true);
        // (Nexthop notifications echo the flags of the request that caused them: Request, Ack.)
        if (d.kind === 'event') expect(f.some((x) => x & NLM_F_MULTI)).toBe(false);
      });
      expect(routeMessages).toBeGreaterThan(50);
    });
  }
});
