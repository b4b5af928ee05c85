/**
 * Slack's Socket Mode endpoint, small enough to read: a loopback WebSocket
 * server (RFC 6455 text, ping and close frames by hand, so the tests need no
 * extra package) that says `hello`, sends envelopes and records the acks.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeSocketMode {
  url: string;
  /** Resolves once a client has connected and received `hello`. */
  connected: Promise<void>;
  /** Sends an envelope and resolves with the client's ack payload. */
  send(type: string, payload: unknown): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

function frame(opcode: number, data: Buffer): Buffer {
  const len = data.length;
  const head =
    len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]);
  if (len >= 65_536) throw new Error('fake Socket Mode frames stay under 64 KB');
  return Buffer.concat([head, data]);
}

/** Reads complete client frames (always masked) off `buffer`; returns the rest. */
function readFrames(buffer: Buffer, onFrame: (opcode: number, data: Buffer) => void): Buffer {
  let buf = buffer;
  while (buf.length >= 2) {
    const opcode = buf[0]! & 0x0f;
    let len = buf[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (buf.length < 4) break;
      len = buf.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (buf.length < 10) break;
      len = Number(buf.readBigUInt64BE(2));
      offset = 10;
    }
    if (buf.length < offset + 4 + len) break;
    const mask = buf.subarray(offset, offset + 4);
    const data = Buffer.from(buf.subarray(offset + 4, offset + 4 + len));
    for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
    onFrame(opcode, data);
    buf = buf.subarray(offset + 4 + len);
  }
  return buf;
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const acks = new Map<string, (payload: Record<string, unknown> | undefined) => void>();
  let socket: Socket | undefined;
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  let seq = 0;

  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, sock: Socket) => {
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    sock.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket = sock;
    let pending: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      pending = readFrames(Buffer.concat([pending, chunk]), (opcode, data) => {
        if (opcode === 0x9) sock.write(frame(0xa, data));
        else if (opcode === 0x8) sock.end(frame(0x8, Buffer.alloc(0)));
        else if (opcode === 0x1) {
          const msg = JSON.parse(data.toString('utf8')) as {
            envelope_id?: string;
            payload?: Record<string, unknown>;
          };
          if (msg.envelope_id) acks.get(msg.envelope_id)?.(msg.payload);
        }
      });
    });
    sock.on('error', () => undefined);
    sock.write(
      frame(
        0x1,
        Buffer.from(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            connection_info: { app_id: 'A0APP' },
            debug_info: { host: 'fake', approximate_connection_time: 3600 },
          }),
        ),
      ),
    );
    onConnected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/link`,
    connected,
    send(type, payload) {
      if (!socket) throw new Error('no Socket Mode client connected');
      seq += 1;
      const envelopeId = `env-${seq}`;
      const acked = new Promise<Record<string, unknown> | undefined>((resolve) =>
        acks.set(envelopeId, resolve),
      );
      socket.write(
        frame(
          0x1,
          Buffer.from(
            JSON.stringify({
              envelope_id: envelopeId,
              type,
              payload,
              accepts_response_payload: type !== 'events_api',
            }),
          ),
        ),
      );
      return acked;
    },
    async close() {
      socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
