/**
 * "Copy link": every page plays in a party (its own `?party=`, or one it makes up), so a link
 * to this page with that party puts a friend on the same server while it has a free seat (the
 * matchmaker seats a party's players together).
 */

const KEPT = ['matchmaker'] as const;

/**
 * A new party id for a page that was given none: 12 characters the matchmaker accepts.
 *
 * @example
 * newPartyId(); // 'p-k3j9x0q2ab'
 */
export function newPartyId(random: () => number = Math.random): string {
  let id = 'p-';
  for (let i = 0; i < 10; i++) id += Math.floor(random() * 36).toString(36);
  return id;
}

/**
 * The link a friend opens to join `party`: this page's address with `?party=` (and the
 * matchmaker it uses, if the page was pointed at another one), nothing else of its query.
 *
 * @example
 * shareLink('http://127.0.0.1:8080/?name=Ada&transport=websocket', 'p-1'); // 'http://127.0.0.1:8080/?party=p-1'
 */
export function shareLink(href: string, party: string): string {
  const url = new URL(href);
  const params = new URLSearchParams();
  params.set('party', party);
  for (const key of KEPT) {
    const value = url.searchParams.get(key);
    if (value) params.set(key, value);
  }
  url.search = params.toString();
  url.hash = '';
  return url.toString();
}

/** Put `text` on the clipboard; false when the page may not (then the link is shown instead). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
