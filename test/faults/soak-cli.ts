// `npm run soak -- --minutes N` (root: it creates a network namespace): the soak of soak.ts for
// N minutes (default 60), printing progress each minute and the figures at the end. Exit 1 when
// the hardware ends inconsistent or the agent's memory grew beyond what its tables explain.
import { parseArgs } from 'node:util';
import { formatSoak, runSoak } from './soak.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, routes: { type: 'string', default: '20000' } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  process.stderr.write('usage: npm run soak -- [--minutes N] [--routes N]\n');
  process.exit(2);
}
const f = await runSoak({ seconds: Math.round(minutes * 60), routes: Number(values.routes), log: (l) => process.stdout.write(`${l}\n`) });
process.stdout.write(`${formatSoak(f)}\n${JSON.stringify(f)}\n`);
process.exit(f.consistent && f.rss.growthMiB <= f.rss.allowedMiB ? 0 : 1);
