// What a driver holds, read through the contract (Read), for tests that look at its tables.
import { DriverClient } from '../../src/driver/client.ts';
import type { v1 } from '../../src/driver/wire.ts';

export async function readDriver(address: string): Promise<v1.IEntity[]> {
  const c = new DriverClient(address);
  try {
    return await c.readAll();
  } finally {
    c.close();
  }
}
