// Changes hwsim's tables behind every client's back, through the Simulator's SilentUpdates fault:
// no arbitration, no event, no Write counted, all or nothing. Rejects with the gRPC error of the
// first update that failed (its `code` is the contract's Code, numbered as gRPC's).
import { SimulatorClient } from '../../src/driver/client.ts';
import type { v1 } from '../../src/driver/wire.ts';

export async function tamper(address: string, updates: v1.IUpdate[]): Promise<void> {
  const sim = new SimulatorClient(address);
  try {
    await sim.injectFault({ silentUpdates: { updates } });
  } finally {
    sim.close();
  }
}

