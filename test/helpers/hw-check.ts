// Run inside a network namespace: compares what the driver at ADDR holds with the desired state
// of this namespace's kernel (src/check/structural.ts) and prints one JSON line:
// {"mismatches":[...first 20...],"count":N,"entries":N}. Args: ADDR [excluded VRF names...]
import { DriverClient } from '../../src/driver/client.ts';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { structuralCheck } from '../../src/check/structural.ts';
import { driverFacts } from '../../src/translate/inputs.ts';

const [address, ...excluded] = process.argv.slice(2);
const session = new KernelSession();
await session.start();
const client = new DriverClient(address!);
const caps = await client.capabilities();
const r = structuralCheck(session.mirror, { portMap: new Map(), excludedVrfs: new Set(excluded) }, driverFacts(caps), await client.readAll());
process.stdout.write(`${JSON.stringify({ count: r.mismatches.length, entries: r.entries, mismatches: r.mismatches.slice(0, 20) })}\n`);
client.close();
session.close();
