/**
 * The arena scene: draws every ship at its interpolated position with its name above, and turns
 * the keyboard into input messages. Knows nothing about playgap: it talks to a `GameLink`.
 */
import Phaser from 'phaser';
import { SnapshotBuffer } from './interpolation.js';
import {
  ARENA,
  type InputMessage,
  readSnapshot,
  readYourShip,
  type ShipState,
} from './messages.js';
import { Roster } from './roster.js';

/** What the scene needs from the network, whatever carries it. */
export interface GameLink {
  /** This player's ship id until the game says otherwise (the server uses the client id). */
  selfId: string;
  send(message: InputMessage, reliable: boolean): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

/** What the scene reports to the page (test hook, HUD). */
export interface ArenaObserver {
  /** Every frame: the ships on screen (interpolated). */
  onShips(ships: readonly ShipState[]): void;
  onSnapshot(): void;
}

interface ShipView {
  body: Phaser.GameObjects.Image;
  label: Phaser.GameObjects.Text;
  self: boolean;
}

const INPUT_REFRESH_MS = 250;

type ArenaKeys = Record<
  'up' | 'down' | 'left' | 'right' | 'w' | 'a' | 's' | 'd',
  Phaser.Input.Keyboard.Key
>;

export class ArenaScene extends Phaser.Scene {
  #link: GameLink | undefined;
  #unsubscribe: (() => void) | undefined;
  #buffer = new SnapshotBuffer(100);
  #roster = new Roster();
  #views = new Map<string, ShipView>();
  #keys: ArenaKeys | undefined;
  #lastInput: InputMessage = { type: 'input', x: 0, y: 0 };
  #lastSentAt = 0;
  #observer: ArenaObserver;

  constructor(observer: ArenaObserver) {
    super('arena');
    this.#observer = observer;
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
    this.#buffer = new SnapshotBuffer(100);
    this.#roster = new Roster();
    this.#selfId = link.selfId;
    this.#unsubscribe = link.onMessage((message) => {
      const yours = readYourShip(message);
      if (yours !== undefined) this.#selfId = yours.id;
      if (this.#roster.apply(message)) return;
      const snapshot = readSnapshot(message);
      if (!snapshot) return;
      this.#buffer.push(snapshot, performance.now());
      this.#observer.onSnapshot();
    });
    return () => this.detach();
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#link = undefined;
    for (const view of this.#views.values()) this.#destroy(view);
    this.#views.clear();
    this.#observer.onShips([]);
  }

  override update(time: number): void {
    if (!this.#link) return;
    this.#sendInput(time);
    const ships = this.#roster.ships(this.#buffer.sample(performance.now()));
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
    this.#observer.onShips(ships);
  }
  #selfId = '';

  #sendInput(time: number): void {
    const keys = this.#keys;
    if (!keys || !this.#link) return;
    const axis = (minus: boolean, plus: boolean) =>
      ((plus ? 1 : 0) - (minus ? 1 : 0)) as -1 | 0 | 1;
    const input: InputMessage = {
      type: 'input',
      x: axis(keys.left.isDown || keys.a.isDown, keys.right.isDown || keys.d.isDown),
      y: axis(keys.up.isDown || keys.w.isDown, keys.down.isDown || keys.s.isDown),
    };
    const changed = input.x !== this.#lastInput.x || input.y !== this.#lastInput.y;
    if (changed || time - this.#lastSentAt >= INPUT_REFRESH_MS) {
      // A change must arrive (reliable); the periodic repeat may be lost.
      this.#link.send(input, changed);
      this.#lastInput = input;
      this.#lastSentAt = time;
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
