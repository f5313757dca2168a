/** Edgegap's deployment statuses and the location every local deployment reports. */

/** `current_status` values, in Edgegap's spelling. */
export const Status = {
  INITIALIZING: 'Status.INITIALIZING',
  SEEKING: 'Status.SEEKING',
  SEEKED: 'Status.SEEKED',
  SCANNING: 'Status.SCANNING',
  DEPLOYING: 'Status.DEPLOYING',
  READY: 'Status.READY',
  ERROR: 'Status.ERROR',
  TERMINATED: 'Status.TERMINATED',
} as const;

/** Where every local deployment says it runs. */
export const LOCAL_LOCATION = Object.freeze({
  city: 'Localhost',
  country: 'Local',
  continent: 'Local',
  administrative_division: 'Local',
  timezone: 'UTC',
  latitude: 0,
  longitude: 0,
});
