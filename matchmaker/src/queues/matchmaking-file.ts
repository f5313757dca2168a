/**
 * Loads the matchmaking config file at start (a bad file stops the matchmaker naming the file
 * and the path in it) and reloads it when the file changes or on `reload()` (SIGHUP). A bad
 * new version is logged and the old config stays; waiting tickets are never dropped by a reload.
 */
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  DEFAULT_MATCHMAKING_CONFIG,
  type MatchmakingConfig,
  MatchmakingConfigError,
  parseMatchmakingConfig,
} from './matchmaking-config.js';

/** Read and validate one matchmaking config file (JSON). */
export function readMatchmakingFile(path: string): MatchmakingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MatchmakingConfigError('(file)', `cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MatchmakingConfigError('(file)', `is not JSON: ${(error as Error).message}`);
  }
  return parseMatchmakingConfig(raw);
}

export interface MatchmakingSourceOptions {
  /** The file; without one the config is DEFAULT_MATCHMAKING_CONFIG and never changes. */
  path?: string;
  /** Watch the file and reload on change (default true with a path). */
  watch?: boolean;
  /** Changes closer together than this are read once. Default 200 ms. */
  reloadDebounceMs?: number;
  /** A reload failed (the old config stays) or succeeded. */
  onReload?: (outcome: { ok: true } | { ok: false; error: MatchmakingConfigError }) => void;
  /** The file cannot be watched (e.g. the inotify limit): only SIGHUP reloads it then. */
  onWatchError?: (error: Error) => void;
}

/**
 * The live matchmaking config.
 *
 * @example
 * const source = openMatchmakingSource({ path: 'matchmaking.json' });
 * source.onChange((config) => desk.setConfig(config));
 * source.close();
 */
export interface MatchmakingSource {
  current(): MatchmakingConfig;
  onChange(listener: (config: MatchmakingConfig) => void): void;
  /** Read the file again now (SIGHUP); false when the new file is refused. */
  reload(): boolean;
  close(): void;
}

/**
 * Open the config: read and validate the file now (throws MatchmakingConfigError), then follow it.
 *
 * @example
 * const source = openMatchmakingSource({ path: config.matchmakingConfig });
 */
export function openMatchmakingSource(options: MatchmakingSourceOptions = {}): MatchmakingSource {
  const path = options.path ? resolve(options.path) : undefined;
  let config = path ? readMatchmakingFile(path) : DEFAULT_MATCHMAKING_CONFIG;
  const listeners: ((config: MatchmakingConfig) => void)[] = [];
  let watcher: FSWatcher | undefined;
  let pending: NodeJS.Timeout | undefined;
  const reload = (): boolean => {
    if (!path) return true;
    try {
      const next = readMatchmakingFile(path);
      if (JSON.stringify(next) === JSON.stringify(config)) return true;
      config = next;
    } catch (error) {
      options.onReload?.({ ok: false, error: error as MatchmakingConfigError });
      return false;
    }
    options.onReload?.({ ok: true });
    for (const listener of listeners) listener(config);
    return true;
  };
  if (path && options.watch !== false) {
    // The directory, not the file: editors replace a file by renaming over it.
    try {
      watcher = watch(dirname(path), (_event, name) => {
        if (name !== null && name !== basename(path)) return;
        clearTimeout(pending);
        pending = setTimeout(reload, options.reloadDebounceMs ?? 200);
      });
      watcher.on('error', (error) => options.onWatchError?.(error));
    } catch (error) {
      options.onWatchError?.(error as Error);
    }
  }
  return {
    current: () => config,
    onChange: (listener) => listeners.push(listener),
    reload,
    close() {
      clearTimeout(pending);
      watcher?.close();
    },
  };
}
