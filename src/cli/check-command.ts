// `vrfsync check`: is the hardware consistent with this kernel (run it in the network namespace
// whose kernel it checks)? Exit 0: consistent; 1: any mismatch; 2: could not check.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type RunFlags } from '../agent/config.ts';
import { runCheck } from '../check/check.ts';
import { formatJson, formatText } from '../check/report.ts';
import { addTlsOptions } from './driver-options.ts';

interface Options extends Pick<RunFlags, 'driver' | 'config' | 'insecure' | 'tlsCa' | 'tlsCert' | 'tlsKey' | 'tlsServerName' | 'portMap' | 'excludeVrf'> {
  vrf?: string;
  probes: number;
  seed?: number;
  json?: boolean;
}

const count = (text: string) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
};
const repeat = (text: string, prev?: string[]) => [...(prev ?? []), text];

export async function runCheckCommand(o: Options): Promise<number> {
  try {
    // The agent's own configuration: the same driver, port map and excluded VRFs it syncs with.
    const config = loadConfig({ flags: o });
    if (config.driver.address === 'embedded') {
      throw new ConfigError('which driver? give --driver ADDR, or --config FILE naming driver.address (an embedded hwsim holds nothing to check)');
    }
    const report = await runCheck({
      address: config.driver.address, tls: config.driver.tls, translate: config.translate,
      vrf: o.vrf, probes: o.probes, seed: o.seed ?? (Math.random() * 2 ** 32) >>> 0,
    });
    process.stdout.write(o.json ? formatJson(report) : formatText(report));
    return report.consistent ? 0 : 1;
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : (err as Error).message ?? String(err);
    process.stderr.write(`vrfsync check: ${msg}\n`);
    return 2;
  }
}

export function registerCheckCommand(program: Command): void {
  // --driver is optional here: the --config file may name it.
  const cmd = program
    .command('check')
    .description("compare the driver's tables and forwarding with this kernel's (run it in the kernel's network namespace)")
    .option('--driver <addr>', 'driver: unix:/path/to.sock or HOST:PORT (TLS); default: the --config file\'s')
    .option('--config <file>', "the agent's YAML configuration: driver, TLS, port map, excluded VRFs");
  addTlsOptions(cmd)
    .option('--port-map <kernel=port,...>', 'kernel netdev to driver port, as the agent was given it (repeatable)', repeat)
    .option('--exclude-vrf <name>', 'VRF the agent does not offload (repeatable)', repeat)
    .option('--vrf <name>', 'report on this VRF only ("default" is the default VRF)')
    .option('--probes <n>', 'random addresses probed per VRF, besides three per route', count, 1000)
    .option('--seed <n>', 'seed of the probe addresses (the report gives the one used)', count)
    .option('--json', 'print one JSON object')
    .action(async (o: Options) => {
      process.exitCode = await runCheckCommand(o);
    });
}
