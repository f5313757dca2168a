/**
 * Rewrites the server's ICE candidates so a browser behind Edgegap's port mapping reaches the
 * data port: every UDP candidate on the internal data port announces the public IP and the
 * external port instead. geckos.io has no option for this, so the geckos transport runs the
 * offer SDP and the trickled candidates through these functions.
 */

/** Where the data port is reachable from players. */
export interface IceMapping {
  publicIp: string;
  /** UDP port node-datachannel listens on (inside the container). */
  internalPort: number;
  /** UDP port players reach (Edgegap's external port). */
  externalPort: number;
}

// candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
const CANDIDATE = /^(a=)?(candidate:\S+ \d+ )(\S+)( \d+ )(\S+) (\d+)( typ .*)$/i;

/**
 * Rewrite one candidate line (with or without the `a=` prefix); other lines come back as is.
 *
 * @example
 * rewriteCandidate('candidate:1 1 UDP 2122317823 172.17.0.2 5000 typ host',
 *   { publicIp: '203.0.113.7', internalPort: 5000, externalPort: 31000 });
 * // 'candidate:1 1 UDP 2122317823 203.0.113.7 31000 typ host'
 */
export function rewriteCandidate(line: string, mapping: IceMapping): string {
  const m = CANDIDATE.exec(line);
  if (!m) return line;
  const [, a = '', head, transport = '', priority, , port, tail] = m;
  if (transport.toUpperCase() !== 'UDP' || Number(port) !== mapping.internalPort) return line;
  return `${a}${head}${transport}${priority}${mapping.publicIp} ${mapping.externalPort}${tail}`;
}

/**
 * Rewrite every candidate of an SDP and drop the duplicates this creates (one host candidate
 * per local interface all become the same public address).
 *
 * @example
 * const sdp = rewriteSdp(offer.sdp, { publicIp, internalPort: 5000, externalPort: 31000 });
 */
export function rewriteSdp(sdp: string, mapping: IceMapping): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of sdp.split(eol)) {
    const rewritten = rewriteCandidate(line, mapping);
    if (rewritten !== line || CANDIDATE.test(line)) {
      const key = candidateAddressKey(rewritten);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(rewritten);
  }
  return out.join(eol);
}

/** Transport + address + port + type: two candidates equal on these are duplicates. */
function candidateAddressKey(line: string): string {
  const m = CANDIDATE.exec(line);
  if (!m) return line;
  return `${m[3]?.toUpperCase()} ${m[5]} ${m[6]}${m[7]?.split(' ').slice(0, 3).join(' ')}`;
}
