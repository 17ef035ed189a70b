// The `vrfsync` command. Each subcommand lives in its own module and registers itself here.
// Usage errors exit 2, like "could not run"; each subcommand sets its own exit status.
import { Command, CommanderError } from 'commander';
import { registerCheckCommand } from './check-command.ts';
import { registerConformance } from './conformance-command.ts';
import { registerKernelCommand } from './kernel-command.ts';
import { registerRecordCommand } from './record-command.ts';
import { registerReplayCommand } from './replay-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerShowCommand } from './show-command.ts';
import { registerStatusCommand } from './status-command.ts';

const program = new Command('vrfsync')
  .description("keeps a switch ASIC's layer-3 tables in sync with the Linux kernel's VRFs, routes and neighbours")
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

registerCheckCommand(program);
registerConformance(program);
registerKernelCommand(program);
registerRecordCommand(program);
registerReplayCommand(program);
registerRunCommand(program);
registerShowCommand(program);
registerStatusCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
