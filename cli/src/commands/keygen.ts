/**
 * `playgap keygen`: a new connect-token private key and protocol id, the two values that the
 * matchmaker and every game server must share (PLAYGAP_PRIVATE_KEY, PLAYGAP_PROTOCOL_ID).
 *
 * The text output is `NAME=value` lines, so it can be appended to a .env file as is; with
 * `--export` each line starts with `export `, so `eval "$(playgap keygen --export)"` sets both
 * in the current shell. The values hold only hex digits, decimal digits, commas and spaces
 * (the list form is double-quoted), so either form is safe to evaluate.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { emit, line } from '../output.js';

/** `playgap keygen [--format hex|list] [--export]` */
export const keygen: Command = {
  name: 'keygen',
  summary: 'generate a private key and a protocol id',
  help: `Usage: playgap keygen [--format hex|list] [--export] [--json]

Prints a new random 32-byte connect-token private key and a random 64-bit protocol id, as
lines to paste into .env (and the Edgegap app version's hidden env):
  PLAYGAP_PRIVATE_KEY=<64 hex chars>      (--format list: Bevygap's "1, 2, 3, ..." form)
  PLAYGAP_PROTOCOL_ID=<decimal u64>

Flags:
  --format hex|list   key format (default hex)
  --export            start each line with "export ", for eval in a POSIX shell
  --json              print {"privateKey","protocolId","format"}

Example:
  playgap keygen >> docker/.env
  eval "$(playgap keygen --export)"     # sets both in this shell`,
  options: {
    format: { type: 'string', default: 'hex' },
    export: { type: 'boolean', default: false },
  },
  async run({ out }, flags) {
    const format = flags.format;
    if (format !== 'hex' && format !== 'list') {
      throw usageError(`--format must be "hex" or "list", not ${JSON.stringify(format)}.`);
    }
    if (flags.export && out.json) {
      throw usageError('--export prints shell lines; leave out --json (or --export).');
    }
    const key = randomBytes(32);
    const privateKey = format === 'hex' ? key.toString('hex') : [...key].join(', ');
    const protocolId = randomBytes(8).readBigUInt64BE().toString();
    key.fill(0);
    const prefix = flags.export ? 'export ' : '';
    emit(out, { privateKey, protocolId, format }, () => {
      line(
        out,
        `${prefix}PLAYGAP_PRIVATE_KEY=${format === 'hex' ? privateKey : `"${privateKey}"`}`,
      );
      line(out, `${prefix}PLAYGAP_PROTOCOL_ID=${protocolId}`);
    });
  },
};
