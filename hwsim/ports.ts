// Front-panel ports of the simulated switch: named on the command line, or adopted from the
// netdevs of the network namespace hwsim runs in (`--ports auto`: any namespace is a switch).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type PortSpec } from './config.ts';

const DEFAULT_SPEED = 100_000;

function localMac(i: number): Uint8Array {
  return Uint8Array.of(0x02, 0, 0, 0, (i >> 8) & 0xff, i & 0xff);
}

/** "swp1,swp2,...": ports with locally administered MACs 02:00:00:00:00:NN, up. */
export function portsFromList(list: string): PortSpec[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new ConfigError('--ports names no port');
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`port ${dup} is named twice`);
  return names.map((name, i) => ({ name, speedMbps: DEFAULT_SPEED, mac: localMac(i + 1), operUp: true }));
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
};

/** This namespace's netdevs except lo, in ifindex order, with their MAC, speed and state. */
export function portsFromHost(sysClassNet = '/sys/class/net'): PortSpec[] {
  const devs = readdirSync(sysClassNet)
    .filter((n) => n !== 'lo')
    .map((name) => ({ name, dir: join(sysClassNet, name), index: Number(read(join(sysClassNet, name, 'ifindex'))) }))
    .sort((a, b) => a.index - b.index);
  return devs.map(({ name, dir }, i) => {
    const macText = read(join(dir, 'address'));
    const mac = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(macText)
      ? Buffer.from(macText.split(':').map((x) => parseInt(x, 16)))
      : localMac(i + 1);
    const speed = Number(read(join(dir, 'speed')));
    const oper = read(join(dir, 'operstate'));
    return { name, mac, speedMbps: speed > 0 ? speed : 10_000, operUp: oper === 'up' || oper === 'unknown' };
  });
}
