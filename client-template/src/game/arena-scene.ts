/**
 * The arena scene: draws your ship where the prediction says (./prediction.ts) and every other
 * ship at its interpolated position (./interpolation.ts), with names above, and turns the
 * keyboard into one numbered input per fixed tick. Knows nothing about playgap: it talks to a
 * `GameLink`.
 */
import type { Input } from '@playgap/server-template/movement';
import Phaser from 'phaser';
import { SnapshotBuffer } from './interpolation.js';
import {
  ARENA,
  type InputMessage,
  type PingMessage,
  readPong,
  readSnapshot,
  readYourShip,
  type ShipState,
} from './messages.js';
import { PingMeter } from './ping.js';
import { type Correction, OwnShipPrediction } from './prediction.js';
import { Roster } from './roster.js';

/** What the scene needs from the network, whatever carries it. */
export interface GameLink {
  /** This player's ship id until the game says otherwise (the server uses the client id). */
  selfId: string;
  send(message: InputMessage | PingMessage, reliable: boolean): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

/** What the scene reports to the page (test hook, overlay). */
export interface ArenaObserver {
  /** Every frame: the ships on screen (yours predicted, the others interpolated). */
  onShips(ships: readonly ShipState[]): void;
  onSnapshot(): void;
  /** Each time a snapshot re-based your predicted ship (error 0 = the prediction was right). */
  onCorrection?(correction: Correction): void;
  /** Each pong: the smoothed round trip on the game channel, ms. */
  onPing?(rttMs: number): void;
}

/** Timing of the scene; every value has a default. */
export interface ArenaTiming {
  /** Interpolation delay for other ships, ms. Default 100. */
  interpolationDelayMs?: number;
  /** Time between pings, ms. Default 1000. */
  pingIntervalMs?: number;
  /** Most fixed ticks run in one frame (after a stall the rest are skipped). Default 5. */
  maxTicksPerFrame?: number;
}

/** The server's tick rate until its welcome says otherwise. */
const DEFAULT_HZ = 20;

interface ShipView {
  body: Phaser.GameObjects.Image;
  label: Phaser.GameObjects.Text;
  self: boolean;
}

type ArenaKeys = Record<
  'up' | 'down' | 'left' | 'right' | 'w' | 'a' | 's' | 'd',
  Phaser.Input.Keyboard.Key
>;

export class ArenaScene extends Phaser.Scene {
  #link: GameLink | undefined;
  #unsubscribe: (() => void) | undefined;
  #buffer: SnapshotBuffer;
  #roster = new Roster();
  #views = new Map<string, ShipView>();
  #keys: ArenaKeys | undefined;
  #observer: ArenaObserver;
  #timing: Required<ArenaTiming>;
  #selfId = '';
  #selfN: number | undefined;
  #tickMs = 1000 / DEFAULT_HZ;
  #prediction: OwnShipPrediction | undefined;
  #ping = new PingMeter();
  #lastSnapshotTick = Number.NEGATIVE_INFINITY;
  #accumulatedMs = 0;
  #lastFrameAt: number | undefined;

  constructor(observer: ArenaObserver, timing: ArenaTiming = {}) {
    super('arena');
    this.#observer = observer;
    this.#timing = {
      interpolationDelayMs: timing.interpolationDelayMs ?? 100,
      pingIntervalMs: timing.pingIntervalMs ?? 1_000,
      maxTicksPerFrame: timing.maxTicksPerFrame ?? 5,
    };
    this.#buffer = new SnapshotBuffer(this.#timing.interpolationDelayMs);
  }

  create(): void {
    this.#drawShipTexture('ship', 0x94a3b8);
    this.#drawShipTexture('ship-self', 0x22d3ee);
    this.add
      .rectangle(ARENA.width / 2, ARENA.height / 2, ARENA.width - 2, ARENA.height - 2)
      .setStrokeStyle(2, 0x334155);
    const keyboard = this.input.keyboard;
    if (keyboard) {
      const K = Phaser.Input.Keyboard.KeyCodes;
      this.#keys = keyboard.addKeys({
        up: K.UP,
        down: K.DOWN,
        left: K.LEFT,
        right: K.RIGHT,
        w: K.W,
        a: K.A,
        s: K.S,
        d: K.D,
      }) as ArenaKeys;
    }
  }

  /** Start showing the world a link delivers (replaces any previous link). */
  attach(link: GameLink): () => void {
    this.detach();
    this.#link = link;
    this.#buffer = new SnapshotBuffer(this.#timing.interpolationDelayMs);
    this.#roster = new Roster();
    this.#selfId = link.selfId;
    this.#selfN = undefined;
    this.#tickMs = 1000 / DEFAULT_HZ;
    // Inputs start with the welcome, which gives the tick rate they are steps of.
    this.#prediction = undefined;
    this.#ping = new PingMeter(this.#timing.pingIntervalMs);
    this.#lastSnapshotTick = Number.NEGATIVE_INFINITY;
    this.#accumulatedMs = 0;
    this.#lastFrameAt = undefined;
    this.#unsubscribe = link.onMessage((message) => this.#receive(message));
    return () => this.detach();
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#link = undefined;
    this.#prediction = undefined;
    for (const view of this.#views.values()) this.#destroy(view);
    this.#views.clear();
    this.#observer.onShips([]);
  }

  #receive(message: unknown): void {
    const yours = readYourShip(message);
    if (yours !== undefined) {
      this.#selfId = yours.id;
      this.#selfN = yours.n;
      if (!this.#prediction) {
        this.#tickMs = 1000 / (yours.hz ?? DEFAULT_HZ);
        this.#prediction = new OwnShipPrediction({ tickMs: this.#tickMs });
        this.#accumulatedMs = 0;
      }
      return;
    }
    const echoed = readPong(message);
    if (echoed !== undefined) {
      this.#ping.pong(echoed, performance.now());
      const rtt = this.#ping.rttMs;
      if (rtt !== undefined) this.#observer.onPing?.(rtt);
      return;
    }
    if (this.#roster.apply(message)) return;
    const snapshot = readSnapshot(message);
    // Snapshots travel unreliably: one overtaken by a newer one is of no use any more.
    if (!snapshot || snapshot.tick <= this.#lastSnapshotTick) return;
    this.#lastSnapshotTick = snapshot.tick;
    this.#buffer.push(snapshot, performance.now());
    this.#observer.onSnapshot();
    const own =
      this.#selfN === undefined ? undefined : snapshot.ships.find((s) => s.n === this.#selfN);
    const ack = this.#selfN === undefined ? undefined : snapshot.acks?.get(this.#selfN);
    if (own && ack !== undefined && this.#prediction) {
      const pose = { x: own.x, y: own.y, angle: Math.round(own.angle * 100) };
      const correction = this.#prediction.reconcile(snapshot.tick, pose, ack);
      if (correction) this.#observer.onCorrection?.(correction);
    }
  }

  override update(): void {
    if (!this.#link) return;
    const now = performance.now();
    const frameMs = this.#lastFrameAt === undefined ? 0 : now - this.#lastFrameAt;
    this.#lastFrameAt = now;
    const held = this.#held();
    this.#runTicks(frameMs, held);
    const ping = this.#ping.due(now);
    if (ping) this.#link.send(ping, false);

    const own = this.#prediction?.view(frameMs, this.#accumulatedMs / this.#tickMs, held);
    const poses = this.#buffer.sample(now);
    const ships = this.#roster.ships(
      own && this.#selfN !== undefined
        ? poses.map((p) => (p.n === this.#selfN ? { n: p.n, ...own, angle: own.angle / 100 } : p))
        : poses,
    );
    this.#draw(ships);
    this.#observer.onShips(ships);
  }

  /** Fixed ticks due since the last frame: each numbers the held input, predicts it, sends it. */
  #runTicks(frameMs: number, held: Input): void {
    this.#accumulatedMs += frameMs;
    let ticks = 0;
    while (this.#accumulatedMs >= this.#tickMs) {
      this.#accumulatedMs -= this.#tickMs;
      if (ticks++ >= this.#timing.maxTicksPerFrame) continue;
      const message = this.#prediction?.tick(held);
      if (message) this.#link?.send(message, false);
    }
  }

  #held(): Input {
    const keys = this.#keys;
    if (!keys) return { x: 0, y: 0 };
    const axis = (minus: boolean, plus: boolean) =>
      ((plus ? 1 : 0) - (minus ? 1 : 0)) as -1 | 0 | 1;
    return {
      x: axis(keys.left.isDown || keys.a.isDown, keys.right.isDown || keys.d.isDown),
      y: axis(keys.up.isDown || keys.w.isDown, keys.down.isDown || keys.s.isDown),
    };
  }

  #draw(ships: readonly ShipState[]): void {
    const seen = new Set<string>();
    for (const ship of ships) {
      seen.add(ship.id);
      // A ship may show up before its roster entry (snapshots are unreliable, the roster is
      // not, and they travel apart): it is drawn unnamed, then named when the entry lands.
      const self = ship.id === this.#selfId;
      let view = this.#views.get(ship.id);
      if (!view) {
        view = {
          body: this.add.image(ship.x, ship.y, 'ship'),
          label: this.add.text(ship.x, ship.y - 24, '', { fontSize: '13px' }).setOrigin(0.5, 1),
          self: !self,
        };
        this.#views.set(ship.id, view);
      }
      if (view.self !== self) {
        view.self = self;
        view.body.setTexture(self ? 'ship-self' : 'ship');
        view.label.setColor(self ? '#67e8f9' : '#e2e8f0');
      }
      view.body.setPosition(ship.x, ship.y).setRotation(ship.angle);
      view.label.setPosition(ship.x, ship.y - 20).setText(ship.name);
    }
    for (const [id, view] of this.#views) {
      if (!seen.has(id)) {
        this.#destroy(view);
        this.#views.delete(id);
      }
    }
  }

  #destroy(view: ShipView): void {
    view.body.destroy();
    view.label.destroy();
  }

  #drawShipTexture(key: string, color: number): void {
    const g = this.add.graphics();
    g.fillStyle(color, 1);
    g.fillTriangle(28, 12, 0, 0, 0, 24);
    g.generateTexture(key, 28, 24);
    g.destroy();
  }
}
