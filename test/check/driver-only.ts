// A driver that serves the contract's Driver service and nothing more, as a vendor's does: its
// Capabilities and Read are hwsim's (at `upstream`), and there is no Simulator service.
import * as grpc from '@grpc/grpc-js';
import { DriverClient } from '../../src/driver/client.ts';
import { DriverService, type v1 } from '../../src/driver/wire.ts';

export interface DriverOnly {
  address: string;
  close(): Promise<void>;
}

export async function startDriverOnly(upstream: string, socket: string): Promise<DriverOnly> {
  const client = new DriverClient(upstream);
  const server = new grpc.Server();
  server.addService(DriverService, {
    capabilities(_call: grpc.ServerUnaryCall<v1.CapabilitiesRequest, v1.ICapabilitiesResponse>, cb: grpc.sendUnaryData<v1.ICapabilitiesResponse>) {
      client.capabilities().then((caps) => cb(null, caps), (err: grpc.ServiceError) => cb(err));
    },
    read(call: grpc.ServerWritableStream<v1.ReadRequest, v1.IReadResponse>) {
      void (async () => {
        let chunk: v1.IEntity[] = [];
        for await (const e of client.read(call.request)) {
          chunk.push(e);
          if (chunk.length === 1000) {
            call.write({ entities: chunk });
            chunk = [];
          }
        }
        if (chunk.length) call.write({ entities: chunk });
        call.end();
      })().catch((err: Error) => call.destroy(err));
    },
  });
  const address = `unix:${socket}`;
  await new Promise<number>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  return {
    address,
    close: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
