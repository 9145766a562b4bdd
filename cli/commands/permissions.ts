/** `emr-audit permissions`: the IAM policy emr-audit needs, ready for `aws iam create-policy`. */
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { PERMISSIONS_HELP } from '../help.js';
import type { CliIo } from '../io.js';

export const FLAGS: FlagSpecs = {
  'no-publish': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export async function permissionsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'permissions');
  if (flags.has('help')) {
    io.stdout.write(PERMISSIONS_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`permissions takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit permissions --help\``);
  const { buildAuditPolicy } = await import('../../lib/permissions.js');
  io.stdout.write(`${JSON.stringify(buildAuditPolicy({ publish: !flags.has('no-publish'), listRegions: true, trailCheck: true }), null, 2)}\n`);
  return 0;
}
