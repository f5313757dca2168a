/**
 * The timers that end a game server nobody stops: the ready timeout (the game server never
 * called /v1/ready), missed game-server heartbeats (unhealthy), and the idle stop (ready with
 * no players; on Edgegap it asks the deployment to stop itself). Time comes from the injected
 * Clock, so tests move it by hand.
 */
import { ServerState } from '@playgap/protocol';
import type { Clock, TimerHandle } from './clock.js';

/** How long each timer waits; 0 turns the heartbeat and idle timers off. */
export interface LifecycleTimerOptions {
  clock: Clock;
  readyTimeoutMs: number;
  heartbeatTimeoutMs: number;
  idleTimeoutMs: number;
  /** Called when idle on Edgegap (self-stop through ARBITRIUM_DELETE_URL). */
  selfStop?: () => Promise<void>;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** What the timers read from the Sidecar and what they make it do. */
export interface LifecycleHost {
  state(): ServerState;
  players(): number;
  /** True once shutdown has started. */
  stopping(): boolean;
  markUnhealthy(): void;
  shutdown(reason: 'ready-timeout' | 'unhealthy' | 'idle'): void;
  /**
   * Idle stop, first step: take the server out of placement (draining record written) unless a
   * player is on the way. False keeps the server up.
   */
  prepareIdleStop(): Promise<boolean>;
  publishEvent(type: string): void;
}

/**
 * Ready, heartbeat and idle timers of one sidecar.
 *
 * @example
 * const timers = new LifecycleTimers({ clock, readyTimeoutMs, heartbeatTimeoutMs, idleTimeoutMs, log }, host);
 * timers.armReadyTimeout(); // later, on /v1/ready:
 * timers.cancelReadyTimeout(); timers.heartbeat(); timers.updateIdle();
 */
export class LifecycleTimers {
  private ready: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private idle: TimerHandle | undefined;

  constructor(
    private readonly options: LifecycleTimerOptions,
    private readonly host: LifecycleHost,
  ) {}

  /** Stop the server when it is still starting after readyTimeoutMs. */
  armReadyTimeout(): void {
    this.ready = this.options.clock.setTimeout(() => {
      if (this.host.state() !== ServerState.STARTING) return;
      this.options.log('game server never called ready; stopping', {
        readyTimeoutMs: this.options.readyTimeoutMs,
      });
      this.host.shutdown('ready-timeout');
    }, this.options.readyTimeoutMs);
  }

  cancelReadyTimeout(): void {
    this.ready?.cancel();
  }

  /** The game server is alive; missing these for heartbeatTimeoutMs marks it unhealthy. */
  heartbeat(): void {
    this.heartbeatTimer?.cancel();
    const limit = this.options.heartbeatTimeoutMs;
    if (limit <= 0 || this.host.state() === ServerState.STARTING || this.host.stopping()) return;
    this.heartbeatTimer = this.options.clock.setTimeout(() => {
      this.options.log('game server missed its heartbeats; marking unhealthy and stopping', {
        heartbeatTimeoutMs: limit,
      });
      this.host.markUnhealthy();
      this.host.shutdown('unhealthy');
    }, limit);
  }

  /** Arm the idle stop while ready with no players; disarm it otherwise. */
  updateIdle(): void {
    const idle =
      this.host.state() === ServerState.READY &&
      this.host.players() === 0 &&
      this.options.idleTimeoutMs > 0;
    if (!idle) {
      this.idle?.cancel();
      this.idle = undefined;
      return;
    }
    if (this.idle) return;
    this.idle = this.options.clock.setTimeout(() => {
      this.idle = undefined;
      void this.onIdle();
    }, this.options.idleTimeoutMs);
  }

  /**
   * Cancel all three. The handles stay set on purpose: a cancelled idle timer is not armed
   * again while the server is still ready and empty.
   */
  cancel(): void {
    this.ready?.cancel();
    this.idle?.cancel();
    this.heartbeatTimer?.cancel();
  }

  private async onIdle(): Promise<void> {
    // The draining record must be in NATS before the stop: a matchmaker that still saw this
    // server ready would place a player on a server that is going away.
    if (!(await this.host.prepareIdleStop())) {
      this.updateIdle();
      return;
    }
    this.options.log('idle with no players; stopping', {
      idleTimeoutMs: this.options.idleTimeoutMs,
    });
    if (this.options.selfStop) {
      try {
        // Edgegap answers by stopping the container (SIGTERM), which ends us through main.
        await this.options.selfStop();
        this.host.publishEvent('self-stop');
        return;
      } catch (error) {
        this.options.log('self-stop failed; shutting down locally', { error: String(error) });
      }
    }
    this.host.shutdown('idle');
  }
}
