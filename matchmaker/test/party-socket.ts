/** Test helper: a party member's WebSocket, kept open, with every message it got so far. */
import type { FrontMessage, PartyFrontMessage, PartyMessage } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import WebSocket from 'ws';

export type PartySocketMessage = FrontMessage | PartyFrontMessage;

export class PartySocket {
  readonly messages: PartySocketMessage[] = [];
  closeCode: number | undefined;
  readonly #ws: WebSocket;
  readonly #opened: Promise<void>;

  constructor(baseUrl: string, first: Record<string, unknown>) {
    this.#ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/matchmaker/ws`);
    this.#opened = new Promise((resolve) => {
      this.#ws.on('open', () => {
        this.#ws.send(JSON.stringify(first));
        resolve();
      });
    });
    this.#ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    this.#ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.#ws.on('error', () => {});
  }

  async send(message: Record<string, unknown>): Promise<void> {
    await this.#opened;
    this.#ws.send(JSON.stringify(message));
  }

  /** The latest roster. */
  party(): PartyMessage | undefined {
    return this.messages.filter((m): m is PartyMessage => m.type === 'party').at(-1);
  }

  /** Wait until a roster satisfies `test`. */
  waitForParty(test: (p: PartyMessage) => boolean, timeoutMs = 15_000): Promise<PartyMessage> {
    return waitFor(
      () => {
        const p = this.party();
        return p && test(p) ? p : undefined;
      },
      { timeoutMs },
    );
  }

  /** Wait for a message of `type` (and `code`) after the first `from` messages. */
  waitForMessage(
    test: (m: PartySocketMessage) => boolean,
    timeoutMs = 15_000,
  ): Promise<PartySocketMessage> {
    return waitFor(() => this.messages.find(test), { timeoutMs });
  }

  /** The final message, once the socket closed. */
  async final(timeoutMs = 30_000): Promise<PartySocketMessage> {
    await waitFor(() => this.closeCode !== undefined, { timeoutMs });
    const message = this.messages.at(-1);
    if (!message) throw new Error('no message received');
    return message;
  }

  close(): void {
    this.#ws.close();
  }
}
