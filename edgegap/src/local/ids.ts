/** Ids and secrets shaped like Edgegap's: 12 lowercase hex request ids, `-S` session ids. */
import { randomBytes, randomInt } from 'node:crypto';

export const newRequestId = (): string => randomBytes(6).toString('hex');
export const newSessionId = (): string => `${randomBytes(6).toString('hex')}-S`;
export const newToken = (): string => randomBytes(24).toString('hex');
export const newSecurityNumber = (): number => randomInt(100_000, 2_000_000_000);

/** Edgegap's v1 timestamp format, UTC: `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function edgegapTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}
