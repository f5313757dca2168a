/**
 * Boots Phaser with the arena scene into a DOM element.
 */
import Phaser from 'phaser';
import { type ArenaObserver, ArenaScene } from './arena-scene.js';
import { ARENA } from './messages.js';

/**
 * Start the arena; returns the scene to attach a link to.
 *
 * @example
 * const arena = startArena(document.getElementById('game')!, { onShips() {}, onSnapshot() {} });
 */
export function startArena(parent: HTMLElement, observer: ArenaObserver): ArenaScene {
  const scene = new ArenaScene(observer);
  new Phaser.Game({
    type: Phaser.AUTO,
    parent,
    width: ARENA.width,
    height: ARENA.height,
    backgroundColor: '#0f172a',
    scene,
    disableContextMenu: true,
  });
  return scene;
}
