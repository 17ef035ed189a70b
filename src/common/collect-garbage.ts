// A full garbage collection on request, for the moments a phase has just dropped a lot of memory
// that V8 would otherwise keep for a while. A full-table dump leaves tens of megabytes of typed
// arrays behind (the tables grow by doubling, and each step's old arrays are dead): V8 counts
// them as external memory and collects them only once enough more has piled up, which for the
// agent is during the cold sync that follows, on top of its peak.
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full collection (freed array buffers are released shortly after, off this thread). */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // The documented way to get gc() without starting node with --expose-gc: a context
      // created after the flag is set has it.
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
