// hwsim raises its HTTP/2 receive windows to one message (drivers/hwsim/server.ts) through a
// private field of grpc-js: should a grpc-js upgrade move it, Writes still work but a full sync
// slows down, and this test is what says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { Asic } from '../../hwsim/asic.ts';
import { makeConfig } from '../../hwsim/config.ts';
import { startHwsimServer, type HwsimServer } from '../../drivers/hwsim/server.ts';
import { DriverClient } from '../../src/driver/client.ts';
import { tempSocket } from '../helpers/hwsim-process.ts';

describe('hwsim HTTP/2 flow control', () => {
  let hw: HwsimServer;
  let client: DriverClient;
  const asic = new Asic(makeConfig({ maxMessageBytes: 8 * 1024 * 1024 }));
  beforeAll(async () => {
    hw = await startHwsimServer({ listen: `unix:${tempSocket()}`, asic });
    client = new DriverClient(hw.address);
  });
  afterAll(async () => {
    client?.close();
    await hw?.close();
  });

  it('opens each connection with receive windows of max_message_bytes', async () => {
    await client.capabilities();
    const servers = (hw.server as unknown as { http2Servers: Map<Http2Server, { sessions: Set<ServerHttp2Session> }> }).http2Servers;
    const sessions = [...servers.values()].flatMap((s) => [...s.sessions]);
    expect(sessions.length).toBe(1);
    const session = sessions[0]!;
    // The SETTINGS frame is acknowledged asynchronously.
    for (let i = 0; i < 50 && session.localSettings.initialWindowSize !== asic.config.maxMessageBytes; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(session.localSettings.initialWindowSize).toBe(asic.config.maxMessageBytes);
    expect(session.state.effectiveLocalWindowSize).toBe(asic.config.maxMessageBytes);
  });
});
