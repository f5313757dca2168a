/**
 * Prometheus metrics of one matchmaker process, in its own registry (several instances can live
 * in one test process): requests by outcome, placement latency, deployments started, Edgegap
 * errors.
 */
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * @example
 * const metrics = new MatchmakerMetrics();
 * metrics.requests.inc({ outcome: 'ok' });
 * const text = await metrics.registry.metrics();
 */
export class MatchmakerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'playgap_matchmaker_requests_total',
    help: 'Play requests answered by the front, by outcome (ok or an error code).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly placementSeconds = new Histogram({
    name: 'playgap_matchmaker_placement_seconds',
    help: 'Time from play request to final answer, as seen by the front.',
    labelNames: ['outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 15, 30, 60, 120],
    registers: [this.registry],
  });
  readonly deploymentsStarted = new Counter({
    name: 'playgap_matchmaker_deployments_started_total',
    help: 'Edgegap deployments started by this matchmaker.',
    registers: [this.registry],
  });
  readonly edgegapErrors = new Counter({
    name: 'playgap_matchmaker_edgegap_errors_total',
    help: 'Edgegap API calls that failed.',
    registers: [this.registry],
  });
}
