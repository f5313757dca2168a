/** Test helper: one WebSocket conversation with the front, collected until it closes. */
import type { FrontMessage, PlayReply } from '@playgap/protocol';
import WebSocket from 'ws';

/** A placement answer for fronts whose placement is stubbed. */
export const READY: PlayReply = {
  type: 'ready',
  token: 'AAAA',
  serverId: 's1',
  ip: '127.0.0.1',
  port: 31000,
  transports: [],
  certDigest: 'AB',
  clientId: '1',
  expiresAt: 0,
};

export interface Conversation {
  messages: FrontMessage[];
  closeCode: number;
}

/** Open `/matchmaker/ws`, send `first` (unless undefined), collect everything until close. */
export function converse(
  baseUrl: string,
  first: string | Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/matchmaker/ws`, { headers });
    const messages: FrontMessage[] = [];
    ws.on('open', () => {
      if (first !== undefined) ws.send(first, { binary: Buffer.isBuffer(first) });
    });
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as FrontMessage));
    ws.on('close', (closeCode) => resolve({ messages, closeCode }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c;
      });
      res.on('end', () =>
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body }),
        ),
      );
    });
    ws.on('error', () => {});
  });
}

/** The final message of a conversation. */
export function last(c: Conversation): FrontMessage {
  const message = c.messages.at(-1);
  if (!message) throw new Error('no message received');
  return message;
}

/** A `?keep=1` socket: send one request at a time and read up to its final message. */
export interface KeptSocket {
  /** Send `text`; resolves with the messages up to the final one (undefined once closed). */
  request(text: string | Buffer): Promise<FrontMessage[] | undefined>;
  /** Resolves with the close code. */
  closed: Promise<number>;
  socket: WebSocket;
}

export async function openKept(baseUrl: string): Promise<KeptSocket> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/matchmaker/ws?keep=1`);
  let batch: FrontMessage[] = [];
  let done: ((messages: FrontMessage[] | undefined) => void) | undefined;
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as FrontMessage;
    batch.push(message);
    if (message.type === 'ready' || message.type === 'error') {
      const messages = batch;
      batch = [];
      done?.(messages);
      done = undefined;
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    socket.once('close', (code) => {
      done?.(undefined);
      resolve(code);
    }),
  );
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('unexpected-response', () => reject(new Error('upgrade refused')));
  });
  return {
    socket,
    closed,
    request(text) {
      return new Promise((resolve) => {
        done = resolve;
        socket.send(text, { binary: Buffer.isBuffer(text) });
      });
    },
  };
}
