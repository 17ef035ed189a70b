// Run by embedded-hwsim.test.ts: starts an embedded hwsim, prints its pid and address, then
// leaves without stop(), by process.exit or by an uncaught error as argv[2] says.
import { startEmbeddedHwsim } from '../../src/agent/embedded-hwsim.ts';

const hwsim = await startEmbeddedHwsim({ ports: 'swp1', log: null });
process.stdout.write(`${JSON.stringify({ pid: hwsim.pid, address: hwsim.address })}\n`);
if (process.argv[2] === 'throw') setImmediate(() => { throw new Error('the agent failed'); });
else process.exit(0);
