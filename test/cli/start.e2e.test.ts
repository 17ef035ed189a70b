// What `npm start` gives a user on a fresh machine: `vrfsync run` with no flags, unprivileged,
// syncs this network namespace's kernel into an embedded hwsim, shows its progress, then a
// summary (VRFs, routes by table, hardware routes) and how to look at it; and the commands it
// names (show, status, check, with no --driver) find that hwsim through the agent's status API.
// Run as user nobody in a namespace of its own, with enough routes to show progress.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Netns } from '../helpers/netns.ts';

const repo = join(import.meta.dirname, '..', '..');
const ROUTES = 12_000;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', 'XDG_RUNTIME_DIR='];

describe('npm start (vrfsync run, unprivileged, embedded hwsim)', () => {
  let ns: Netns | undefined;
  let agent: ChildProcess | undefined;
  afterAll(() => {
    agent?.kill('SIGKILL');
    ns?.destroy();
  });

  /** A vrfsync command as user nobody in the namespace. */
  const vrfsync = (args: string[]): Promise<{ code: number; out: string; err: string }> => new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns!.name, ...NOBODY, process.execPath, join(repo, 'bin', 'vrfsync.js'), ...args], { maxBuffer: 1 << 26 },
      (err, out, e) => resolve({ code: err ? (err as { code?: number }).code ?? -1 : 0, out, err: e }));
  });

  it('syncs, shows progress and a summary, and the commands it names work without --driver', async () => {
    ns = Netns.create('start');
    const lines = ['link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 10.0.1.1/24 dev swp1',
      'neigh add 10.0.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent', 'route add 10.5.0.0/16 via 10.0.1.2 table 100'];
    for (let i = 0; i < ROUTES; i++) lines.push(`route add 20.${i >> 8}.${i & 255}.0/24 via 10.0.1.2`);
    ns.batch(lines);

    agent = spawn('ip', ['netns', 'exec', ns.name, ...NOBODY, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'run'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    agent.stdout!.on('data', (d) => (out += d));
    agent.stderr!.on('data', (d) => (err += d));
    const end = Date.now() + 60_000;
    while (!out.includes('Ctrl-C stops')) {
      if (Date.now() > end || agent.exitCode !== null) throw new Error(`no summary from vrfsync run:\n${out}\n${err.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Progress as plain lines among the logs on stderr (stdout is not a terminal here), then
    // the summary on stdout.
    expect(err).toMatch(/^sync: .*\d+\/\d+/m);
    expect(err).toMatch(/^synced \d+ routes in [\d.]+ s$/m);
    expect(out).toContain('vrfsync is in sync with this kernel (into an embedded hwsim).');
    expect(out).toContain('kernel VRFs: none (the default VRF only)');
    expect(out).toMatch(new RegExp(`^  table 254 +${ROUTES + 1} IPv4`, 'm'));
    expect(out).toMatch(/^  table 100 +1 IPv4/m);
    expect(out).toMatch(/^hardware routes by VRF:\n  default +ipv4-routes +\d+ installed/m);
    // The commands it names, exactly as printed: no --driver, no socket (the default one).
    const named = out.split('\n').filter((l) => /^ {2}vrfsync /.test(l)).map((l) => l.trim());
    expect(named).toEqual(['vrfsync show routes', 'vrfsync status', 'vrfsync check']);

    const show = await vrfsync(['show', 'routes', '--json']);
    expect(show.code, show.err).toBe(0);
    const routes = JSON.parse(show.out) as { prefix: string; action: string }[];
    expect(routes.find((r) => r.prefix === '20.0.7.0/24')).toMatchObject({ action: 'forward' });
    const status = await vrfsync(['status', '--json']);
    expect(status.code, status.err).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ state: 'SYNC_STATE_IN_SYNC' });
    const check = await vrfsync(['check', '--json', '--probes', '100']);
    expect(check.code, check.err).toBe(0);
    expect(JSON.parse(check.out)).toMatchObject({ consistent: true, mismatches: [] });

    // Ctrl-C: a clean exit.
    agent.kill('SIGINT');
    const code = await new Promise<number | null>((r) => agent!.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 120_000);
});
