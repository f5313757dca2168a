/**
 * edgegap-local's locations: the regions a local deployment can be placed in. Each one has
 * Edgegap's location fields, an optional artificial ping delay (so tests and demos can make one
 * region "closer" on a machine where every region is 127.0.0.1) and optional player IPs that
 * count as being there. A deployment goes to the location nearest its request's users.
 */
import { EdgegapConfigError } from '../errors.js';
import { LOCAL_LOCATION } from './status.js';

/**
 * One location, as in edgegap-local's `locations` option or config file.
 *
 * @example { city: 'Montreal', country: 'Canada', continent: 'North America', latitude: 45.5, longitude: -73.56, ping_delay_ms: 40 }
 */
export interface LocalLocationConfig {
  city: string;
  country: string;
  continent: string;
  administrative_division?: string;
  timezone?: string;
  latitude: number;
  longitude: number;
  /** Delay of this location's ping answers, ms (a stand-in for distance); default 0. */
  ping_delay_ms?: number;
  /** Player IPs placed here when a deploy gives `ip_address` users. */
  ips?: string[];
}

/** Edgegap's location object, as status, context and ARBITRIUM_DEPLOYMENT_LOCATION report it. */
export interface LocationView {
  city: string;
  country: string;
  continent: string;
  administrative_division: string;
  timezone: string;
  latitude: number;
  longitude: number;
}

/** Three regions far apart, for `--locations demo`. */
export const DEMO_LOCATIONS: readonly LocalLocationConfig[] = Object.freeze([
  {
    city: 'Montreal',
    country: 'Canada',
    continent: 'North America',
    administrative_division: 'Quebec',
    timezone: 'America/Toronto',
    latitude: 45.5089,
    longitude: -73.5617,
  },
  {
    city: 'Frankfurt',
    country: 'Germany',
    continent: 'Europe',
    administrative_division: 'Hesse',
    timezone: 'Europe/Berlin',
    latitude: 50.1109,
    longitude: 8.6821,
  },
  {
    city: 'Tokyo',
    country: 'Japan',
    continent: 'Asia',
    administrative_division: 'Tokyo',
    timezone: 'Asia/Tokyo',
    latitude: 35.6762,
    longitude: 139.6503,
  },
]);

const MAX_LOCATIONS = 32;

const fail = (message: string): never => {
  throw new EdgegapConfigError(`edgegap-local: ${message}`);
};

function text(where: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 64) {
    return fail(`${where} must be a non-empty string of at most 64 characters`);
  }
  return value;
}

function coordinate(where: string, value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    return fail(`${where} must be a number from -${limit} to ${limit}`);
  }
  return value;
}

/**
 * Check a `locations` list (or the word `demo`); city names must differ, since the city is
 * what names a region.
 *
 * @example
 * validateLocations([{ city: 'Paris', country: 'France', continent: 'Europe', latitude: 48.9, longitude: 2.35 }]);
 */
export function validateLocations(raw: unknown): LocalLocationConfig[] {
  if (raw === undefined) return [];
  if (raw === 'demo') return DEMO_LOCATIONS.map((l) => ({ ...l }));
  if (!Array.isArray(raw) || raw.length > MAX_LOCATIONS) {
    return fail(`locations must be "demo" or a list of at most ${MAX_LOCATIONS} locations`);
  }
  const cities = new Set<string>();
  return raw.map((entry, i) => {
    const at = `locations[${i}]`;
    if (typeof entry !== 'object' || entry === null) return fail(`${at} must be an object`);
    const l = entry as Record<string, unknown>;
    const city = text(`${at}.city`, l.city, true) as string;
    if (cities.has(city.toLowerCase())) fail(`${at}.city "${city}" is used twice`);
    cities.add(city.toLowerCase());
    const location: LocalLocationConfig = {
      city,
      country: text(`${at}.country`, l.country, true) as string,
      continent: text(`${at}.continent`, l.continent, true) as string,
      latitude: coordinate(`${at}.latitude`, l.latitude, 90),
      longitude: coordinate(`${at}.longitude`, l.longitude, 180),
    };
    const division = text(`${at}.administrative_division`, l.administrative_division, false);
    if (division !== undefined) location.administrative_division = division;
    const timezone = text(`${at}.timezone`, l.timezone, false);
    if (timezone !== undefined) location.timezone = timezone;
    if (l.ping_delay_ms !== undefined) {
      const delay = l.ping_delay_ms;
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > 10_000) {
        fail(`${at}.ping_delay_ms must be a number from 0 to 10000`);
      }
      location.ping_delay_ms = delay as number;
    }
    if (l.ips !== undefined) {
      if (!Array.isArray(l.ips) || !l.ips.every((ip) => typeof ip === 'string')) {
        fail(`${at}.ips must be a list of IP address strings`);
      }
      location.ips = l.ips as string[];
    }
    return location;
  });
}

/** The Edgegap-shaped view of a location (no local-only fields). */
export function locationView(location: LocalLocationConfig | undefined): LocationView {
  if (!location) return LOCAL_LOCATION;
  return {
    city: location.city,
    country: location.country,
    continent: location.continent,
    administrative_division: location.administrative_division ?? location.city,
    timezone: location.timezone ?? 'UTC',
    latitude: location.latitude,
    longitude: location.longitude,
  };
}

/** A deploy request's user, as Edgegap's v2 body has it (already validated). */
export type PlacingUser =
  | { user_type: 'ip_address'; user_data: { ip_address: string } }
  | { user_type: 'geo_coordinates'; user_data: { latitude: number; longitude: number } };

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/**
 * Great-circle distance in km.
 *
 * @example
 * Math.round(distanceKm({ latitude: 45.5, longitude: -73.6 }, { latitude: 50.1, longitude: 8.7 })); // ≈ 5850
 */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Where a deployment for `users` goes: the location with the smallest total distance to the
 * users' points (coordinates as given; an IP listed in a location's `ips` is at that
 * location; other IPs say nothing). No points, or no locations: the first one (or none).
 *
 * @example
 * placeDeployment(locations, [{ user_type: 'geo_coordinates', user_data: { latitude: 35, longitude: 139 } }]); // Tokyo
 */
export function placeDeployment(
  locations: readonly LocalLocationConfig[],
  users: readonly PlacingUser[],
): LocalLocationConfig | undefined {
  const points: { latitude: number; longitude: number }[] = [];
  for (const user of users) {
    if (user.user_type === 'geo_coordinates') points.push(user.user_data);
    else {
      const home = locations.find((l) => l.ips?.includes(user.user_data.ip_address));
      if (home) points.push(home);
    }
  }
  let best = locations[0];
  let bestKm = Number.POSITIVE_INFINITY;
  if (points.length === 0) return best;
  for (const location of locations) {
    const km = points.reduce((sum, p) => sum + distanceKm(location, p), 0);
    if (km < bestKm) {
      best = location;
      bestKm = km;
    }
  }
  return best;
}
