/**
 * `playgap keygen`: a new connect-token private key and protocol id, the two values that the
 * matchmaker and every game server must share (PLAYGAP_PRIVATE_KEY, PLAYGAP_PROTOCOL_ID).
 */
import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { emit, line } from '../output.js';

/** `playgap keygen [--format hex|list]` */
export const keygen: Command = {
  name: 'keygen',
  summary: 'generate a private key and a protocol id',
  help: `Usage: playgap keygen [--format hex|list] [--json]

Prints a new random 32-byte connect-token private key and a random 64-bit protocol id, as
lines to paste into .env (and the Edgegap app version's hidden env):
  PLAYGAP_PRIVATE_KEY=<64 hex chars>      (--format list: Bevygap's "1, 2, 3, ..." form)
  PLAYGAP_PROTOCOL_ID=<decimal u64>

Flags:
  --format hex|list   key format (default hex)
  --json              print {"privateKey","protocolId","format"}

Example:
  playgap keygen >> docker/.env`,
  options: { format: { type: 'string', default: 'hex' } },
  async run({ out }, flags) {
    const format = flags.format;
    if (format !== 'hex' && format !== 'list') {
      throw usageError(`--format must be "hex" or "list", not ${JSON.stringify(format)}.`);
    }
    const key = randomBytes(32);
    const privateKey = format === 'hex' ? key.toString('hex') : [...key].join(', ');
    const protocolId = randomBytes(8).readBigUInt64BE().toString();
    key.fill(0);
    emit(out, { privateKey, protocolId, format }, () => {
      line(out, `PLAYGAP_PRIVATE_KEY=${format === 'hex' ? privateKey : `"${privateKey}"`}`);
      line(out, `PLAYGAP_PROTOCOL_ID=${protocolId}`);
    });
  },
};
