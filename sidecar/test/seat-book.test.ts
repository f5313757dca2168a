// SeatBook on a real nats-server: what it deletes on exit when its watch is behind the bucket.
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { seatKey } from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeatBook } from '../src/seat-book.js';
import { reserveSeat } from './harness.js';

let nats: RunningNatsServer;
let nc: NatsConnection;
let seats: KV;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  seats = await new Kvm(nc).create(`seat-book-${process.pid}`, { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function stored(key: string): Promise<string> {
  return (await seats.get(key))?.operation ?? 'NONE';
}

describe('SeatBook.releaseAll', () => {
  it('deletes a reservation its watch never delivered', async () => {
    // Never started: the cache is empty, as when a reservation lands just before exit.
    const book = new SeatBook(seats, 'srv-unseen', () => 4);
    await reserveSeat(seats, 'srv-unseen', 7n, 2);
    expect(await stored(seatKey('srv-unseen', 2))).toBe('PUT');
    await book.releaseAll();
    expect(await stored(seatKey('srv-unseen', 2))).not.toBe('PUT');
  });

  it("leaves other servers' seats alone", async () => {
    const book = new SeatBook(seats, 'srv-a', () => 4);
    await reserveSeat(seats, 'srv-a', 1n, 0);
    await reserveSeat(seats, 'srv-ab', 2n, 0);
    await book.releaseAll();
    expect(await stored(seatKey('srv-a', 0))).not.toBe('PUT');
    expect(await stored(seatKey('srv-ab', 0))).toBe('PUT');
  });

  it('finishes without NATS, leaving the seats to expire', async () => {
    const lone = await connect({ servers: nats.url });
    const loneSeats = await new Kvm(lone).open(`seat-book-${process.pid}`);
    const book = new SeatBook(loneSeats, 'srv-offline', () => 4);
    await lone.close();
    await expect(book.releaseAll()).resolves.toBeUndefined();
  });
});
