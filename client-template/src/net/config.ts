/**
 * Which game the template asks the matchmaker for. `npm start` registers the app `arena`,
 * version `1.0.0`, in edgegap-local; set VITE_PLAYGAP_GAME / VITE_PLAYGAP_VERSION at build time
 * to point the page at your own app on Edgegap.
 */
export const GAME = (import.meta.env.VITE_PLAYGAP_GAME as string | undefined) ?? 'arena';
export const VERSION = (import.meta.env.VITE_PLAYGAP_VERSION as string | undefined) ?? '1.0.0';
