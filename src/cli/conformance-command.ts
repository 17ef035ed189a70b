// `vrfsync conformance`: runs the driver conformance suite (src/conformance) against any server
// of vrfsync.driver.v1.Driver. Exit 0: every case passed; 1: some failed; 2: could not run.
import { Command, InvalidArgumentError } from 'commander';
import { ALL_CASES, SetupError, formatJson, formatTable, runSuite } from '../conformance/suite.ts';
import { addDriverOptions, tlsOptions, type DriverCliOptions } from './driver-options.ts';

/** Default election id: high enough to outrank an agent, far below 2^53. */
export const DEFAULT_ELECTION_ID = 2 ** 40;

interface Options extends DriverCliOptions {
  electionId: number;
  json?: boolean;
  only?: string;
}

function electionId(text: string): number {
  const n = Number(text);
  // The arbitration cases use ids up to 3 above this one.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n + 16) || n < 2) {
    throw new InvalidArgumentError('expected an integer from 2 to 2^53 - 17');
  }
  return n;
}

export async function runConformance(o: Options): Promise<number> {
  process.stderr.write(
    `warning: the conformance suite deletes every VRF, router interface, neighbour, next hop, group and route on the driver at ${o.driver}, before and after every case\n`,
  );
  try {
    const result = await runSuite([...ALL_CASES], {
      address: o.driver,
      client: { tls: tlsOptions(o) },
      electionId: o.electionId,
      only: o.only,
    });
    process.stdout.write(o.json ? formatJson(result) : formatTable(result));
    return result.failed > 0 ? 1 : 0;
  } catch (err) {
    const msg = err instanceof SetupError ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`;
    process.stderr.write(`vrfsync conformance: ${msg}\n`);
    return 2;
  }
}

export function registerConformance(program: Command): void {
  const cmd = program
    .command('conformance')
    .description("test a driver against the vrfsync.driver.v1 contract (wipes the driver's tables)");
  addDriverOptions(cmd)
    .option('--election-id <n>', 'election id to become primary with', electionId, DEFAULT_ELECTION_ID)
    .option('--json', 'print the results as JSON')
    .option('--only <pattern>', 'run only matching cases: substrings or globs, comma-separated')
    .action(async (o: Options) => {
      process.exitCode = await runConformance(o);
    });
}
