// `vrfsync check`: is the hardware consistent with this kernel (run it in the network namespace
// whose kernel it checks)? Exit 0: consistent; 1: any mismatch; 2: could not check.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type RunFlags } from '../agent/config.ts';
import { runCheck } from '../check/check.ts';
import { formatJson, formatText } from '../check/report.ts';
import { agentSettings } from '../status/status-client.ts';
import { defaultStatusSocket } from '../status/status-socket.ts';
import { addTlsOptions } from './driver-options.ts';

interface Options extends Pick<RunFlags, 'driver' | 'config' | 'insecure' | 'tlsCa' | 'tlsCert' | 'tlsKey' | 'tlsServerName' | 'portMap' | 'excludeVrf'> {
  socket?: string;
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
    // The agent's own configuration: the same driver, port map and excluded VRFs it syncs with,
    // from --config and flags, or else asked of the agent running in this network namespace.
    const config = loadConfig({ flags: o });
    let translate = config.translate;
    if (!o.driver && !o.config) {
      const agent = await agentSettings(o.socket);
      if (!agent) {
        throw new ConfigError(`which driver? give --driver ADDR or --config FILE (no vrfsync agent answers on ${o.socket ?? defaultStatusSocket()} to say which it syncs into)`);
      }
      config.driver.address = agent.driver;
      if (!o.portMap?.length && !o.excludeVrf?.length) translate = agent.translate;
    }
    if (config.driver.address === 'embedded') {
      throw new ConfigError('which driver? give --driver ADDR, or --config FILE naming driver.address (an embedded hwsim holds nothing to check)');
    }
    const report = await runCheck({
      address: config.driver.address, tls: config.driver.tls, translate,
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
    .option('--driver <addr>', "driver: unix:/path/to.sock or HOST:PORT (TLS); default: the --config file's, else this network namespace's running agent's")
    .option('--config <file>', "the agent's YAML configuration: driver, TLS, port map, excluded VRFs")
    .option('--socket <path>', "without --driver and --config: the status socket of the agent to ask for its driver and port map (default: this network namespace's)");
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
