/**
 * Fault injection: rules set through `POST /_local/faults` or the config file that make
 * matching requests slow, fail with a given status and body, or make the deployments they
 * create end in ERROR or never become ready. Each rule applies `times` times (default: always).
 */

/** A fault rule as the admin endpoint takes it. @example { method: 'POST', path: '^/v2/deployments', status: 429, times: 3 } */
export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Regular expression matched against the request path (query included). */
  path: string;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Body of that answer; default `{message: "Injected fault"}`. */
  body?: unknown;
  /** Delay before handling (or failing) the request, ms. */
  latencyMs?: number;
  /** How many requests it applies to; default unlimited. */
  times?: number;
  /** Deployments created by matching requests end in ERROR or never become ready. */
  deployment?: 'error' | 'never-ready';
}

interface FaultRule extends FaultSpec {
  id: string;
  regex: RegExp;
  remaining: number;
}

/** Error thrown for a malformed fault spec (answered with 400). */
export class FaultSpecError extends Error {}

export class FaultTable {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(spec: unknown): string {
    if (typeof spec !== 'object' || spec === null)
      throw new FaultSpecError('fault must be an object');
    const s = spec as FaultSpec;
    if (typeof s.path !== 'string') throw new FaultSpecError('fault.path (a regex) is required');
    let regex: RegExp;
    try {
      regex = new RegExp(s.path);
    } catch {
      throw new FaultSpecError('fault.path is not a valid regular expression');
    }
    if (s.method !== undefined && typeof s.method !== 'string') {
      throw new FaultSpecError('fault.method must be a string');
    }
    if (
      s.status !== undefined &&
      (!Number.isInteger(s.status) || s.status < 100 || s.status > 599)
    ) {
      throw new FaultSpecError('fault.status must be an HTTP status');
    }
    for (const key of ['latencyMs', 'times'] as const) {
      const v = s[key];
      if (v !== undefined && (typeof v !== 'number' || v < 0)) {
        throw new FaultSpecError(`fault.${key} must be a number >= 0`);
      }
    }
    if (s.deployment !== undefined && s.deployment !== 'error' && s.deployment !== 'never-ready') {
      throw new FaultSpecError('fault.deployment must be "error" or "never-ready"');
    }
    const id = `f${this.nextId++}`;
    this.rules.push({ ...s, id, regex, remaining: s.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): (FaultSpec & { id: string; remaining: number | null })[] {
    return this.rules.map(({ regex: _r, remaining, ...rest }) => ({
      ...rest,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** The first rule matching this request, consumed once; undefined when none. */
  take(method: string, url: string): FaultSpec | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method.toUpperCase()) &&
        r.regex.test(url),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }
}
