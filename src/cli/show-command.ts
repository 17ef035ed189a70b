// `vrfsync show TABLE`: the driver's tables, read through the contract (Capabilities and Read)
// as any third party's tool would read them, and printed the way iproute2 prints their kernel
// counterparts, with names instead of ids wherever the driver lets us resolve them.
//
// Without --driver it reads the driver of the agent running in this network namespace (its
// status API says which, embedded hwsim included): no address is a driver's by convention, and
// a show that silently read some other socket would be worse than one that asks.
//
// Exit 0: printed. 2: could not run (bad arguments, driver unreachable, unknown VRF, a Read
// that failed), with one line on stderr.
import { Argument, type Command } from 'commander';
import { DriverClient } from '../driver/client.ts';
import { EntityType, codeName } from '../driver/wire.ts';
import { capacityEntries, capacityText } from '../show/capacity.ts';
import {
  groupEntries, groupText, interfaceEntries, interfaceText, neighborEntries, neighborText,
  nextHopEntries, nextHopText, vrfEntries, vrfText,
} from '../show/listings.ts';
import { Names } from '../show/names.ts';
import { ChunkedOutput } from '../show/output.ts';
import { countRoutes, readRoutes } from '../show/route-rows.ts';
import { routeJson, routeLines } from '../show/routes.ts';
import { readTables } from '../show/tables.ts';
import { agentSettings } from '../status/status-client.ts';
import { defaultStatusSocket } from '../status/status-socket.ts';
import { addAgentDriverOptions, tlsOptions, type DriverCliOptions } from './driver-options.ts';

const TABLES = ['vrfs', 'interfaces', 'routes', 'nexthops', 'groups', 'neighbors', 'capacity'] as const;
type ShowTable = (typeof TABLES)[number];

interface Options extends Omit<DriverCliOptions, 'driver'> {
  driver?: string;
  socket?: string;
  vrf?: string;
  json?: boolean;
}

const { ENTITY_TYPE_VRF: VRF, ENTITY_TYPE_ROUTER_INTERFACE: RIF, ENTITY_TYPE_NEIGHBOR: NEIGHBOR, ENTITY_TYPE_NEXT_HOP: NEXT_HOP, ENTITY_TYPE_NEXT_HOP_GROUP: GROUP } = EntityType;

/** The small tables each listing needs to resolve names; routes are read on their own. */
const NEEDS: Record<ShowTable, EntityType[]> = {
  vrfs: [VRF, RIF],
  interfaces: [VRF, RIF],
  neighbors: [VRF, RIF, NEIGHBOR],
  nexthops: [VRF, RIF, NEXT_HOP],
  groups: [VRF, RIF, NEXT_HOP, GROUP],
  routes: [VRF, RIF, NEXT_HOP, GROUP],
  capacity: [],
};

const CONNECT_MS = 5000;
const CAPABILITIES_MS = 10_000;

const HELP = `
Text is printed as iproute2 prints it (routes like \`ip route\`, neighbours like \`ip neigh\`,
next hops like \`ip nexthop\`): /0 is "default", a host route has no /32 or /128, a DROP route
is "blackhole", a TRAP route is "trap", a gateway of the other family is "via inet6 ADDR".
Without --vrf, routes are grouped under "vrf NAME:" lines, the default VRF first.

--json prints a JSON array, one element a line:
  routes      {"vrf","prefix","action":"forward"|"drop"|"trap","nexthops":[{"address","interface","weight"}]}
              (a connected route: one next hop without "address"; drop and trap: none)
  vrfs        {"name","id","interfaces","routes":{"ipv4","ipv6"}}
  interfaces  {"name","rif","vrf","mac","mtu","state":"up"|"down"}
  neighbors   {"vrf","address","interface","mac"}
  nexthops    {"id","vrf","address","interface"}
  groups      {"id","members":[{"nexthop","address","interface","weight"}]}
  capacity    {"table","used","capacity","percent"}  (percent null when capacity is 0)

Interfaces are named after their port (swp1; swp1.100 for a VLAN sub-port; loopbackN for a
loopback). Exit 0 when printed, 2 when it cannot run.`;

class ShowError extends Error {}

function describe(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: string };
  if (typeof e.code === 'number' && typeof e.details === 'string') return `${codeName(e.code)}: ${e.details}`;
  return (e.message ?? String(err)).split('\n')[0]!;
}

/** Runs `work`, turning any failure into a ShowError that says which step failed. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new ShowError(what ? `${what}: ${describe(err)}` : describe(err));
  }
}

async function print<T>(out: ChunkedOutput, json: boolean | undefined, entries: T[], text: (e: T[]) => string[]): Promise<void> {
  if (json) await out.jsonArray(entries.map((e) => JSON.stringify(e)));
  else await out.lines(text(entries));
}

async function show(client: DriverClient, table: ShowTable, o: Options, out: ChunkedOutput): Promise<void> {
  // connect()'s own message names the address: "cannot connect to unix:/x.sock".
  await step('', () => client.connect(CONNECT_MS));
  const caps = await step(`Capabilities from ${o.driver}`, () => client.capabilities(CAPABILITIES_MS));
  if (table === 'capacity') return print(out, o.json, capacityEntries(caps), capacityText);
  const tables = await step('reading the driver\'s tables', () => readTables(client, NEEDS[table]));
  const names = new Names(caps, tables);
  let only: number | null = null;
  if (o.vrf !== undefined) {
    const id = names.vrfId(o.vrf);
    if (id === undefined) throw new ShowError(`no VRF named ${JSON.stringify(o.vrf)} on the driver`);
    only = id;
  }
  switch (table) {
    case 'vrfs': {
      const counts = await step('reading routes', () => countRoutes(client, only));
      return print(out, o.json, vrfEntries(names, tables, counts, only), vrfText);
    }
    case 'interfaces': return print(out, o.json, interfaceEntries(names, tables, only), interfaceText);
    case 'neighbors': return print(out, o.json, neighborEntries(names, tables, only), neighborText);
    case 'nexthops': return print(out, o.json, nextHopEntries(names, tables, only), nextHopText);
    case 'groups': return print(out, o.json, groupEntries(names, tables, only), groupText);
    case 'routes': {
      const routes = await step('reading routes', () => readRoutes(client, only));
      if (o.json) return out.jsonArray(routeJson(routes, names, tables));
      return out.lines(routeLines(routes, names, tables, only === null));
    }
  }
}

export async function runShow(table: ShowTable, o: Options): Promise<number> {
  let client: DriverClient | null = null;
  try {
    if (table === 'capacity' && o.vrf !== undefined) throw new ShowError('--vrf does not apply to capacity: the tables are shared by every VRF');
    const driver = o.driver ?? (await agentSettings(o.socket))?.driver;
    if (!driver) throw new ShowError(`which driver? give --driver ADDR (no vrfsync agent answers on ${o.socket ?? defaultStatusSocket()} to say which it syncs into)`);
    client = await step('bad TLS options', async () => new DriverClient(driver, { tls: tlsOptions({ ...o, driver }) }));
    await show(client, table, { ...o, driver }, new ChunkedOutput());
    return 0;
  } catch (err) {
    const msg = err instanceof ShowError ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`;
    process.stderr.write(`vrfsync show: ${msg}\n`);
    return 2;
  } finally {
    client?.close();
  }
}

export function registerShowCommand(program: Command): void {
  const cmd = program
    .command('show')
    .description("print the driver's tables as iproute2 prints the kernel's: VRFs, interfaces, routes, next hops, groups, neighbours, capacity")
    .addArgument(new Argument('<table>', 'what to print').choices(TABLES));
  addAgentDriverOptions(cmd)
    .option('--vrf <name>', 'only this VRF ("default" is the built-in one)')
    .option('--json', 'print a JSON array')
    .addHelpText('after', HELP)
    .action(async (table: ShowTable, o: Options) => {
      process.exitCode = await runShow(table, o);
    });
}
