/**
 * Freeze a config all the way down, so no part of a component can change a setting another
 * part already read (a shallow Object.freeze leaves nested arrays and objects writable).
 */

/**
 * Freeze `value` and every plain object and array inside it, and return it. Typed arrays (a
 * private key) cannot be frozen by the language and are left as they are.
 *
 * @example
 * const config = deepFreeze({ versions: ['1.0.0'] });
 * config.versions.push('2'); // TypeError
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): Readonly<T> {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner, seen);
  return value;
}
