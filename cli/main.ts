/**
 * The `emr-audit` command: dispatch to a subcommand and turn what happened into the exit code of
 * the public contract (0 done, 1 --fail-on, 2 usage, 3 could not run). Everything reaches the
 * outside through `io`, so tests run it in-process.
 */
import { takesOption, UsageError, type FlagSpecs } from './args.js';
import { CHANGE_EVENTS_HELP, CHECKS_HELP, COLLECT_HELP, MAIN_HELP, PERMISSIONS_HELP, SCAN_HELP, settingsHelp } from './help.js';
import { AuditCouldNotRunError, type CliIo } from './io.js';
import { closest } from './suggest.js';
import { versionText } from './version.js';

export type { CliIo } from './io.js';
export { useCliHeapPolicy } from './heap-policy.js';

type Command = (argv: readonly string[], io: CliIo) => number | Promise<number>;

// Loaded on demand: `emr-audit checks` should not pay for the audit engine and renderers.
const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./commands/scan.js')).scanCommand,
  collect: async () => (await import('./commands/collect.js')).collectCommand,
  checks: async () => (await import('./commands/checks.js')).checksCommand,
  // DESIGN.md's layout names it so; `checks` is the documented spelling.
  'list-checks': async () => (await import('./commands/checks.js')).checksCommand,
  permissions: async () => (await import('./commands/permissions.js')).permissionsCommand,
  'change-events': async () => (await import('./commands/change-events.js')).changeEventsCommand,
};

const HELP_TOPICS: Record<string, () => string | Promise<string>> = {
  scan: () => SCAN_HELP,
  collect: () => COLLECT_HELP,
  checks: () => CHECKS_HELP,
  'list-checks': () => CHECKS_HELP,
  permissions: () => PERMISSIONS_HELP,
  'change-events': () => CHANGE_EVENTS_HELP,
  settings: settingsHelp,
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`emr-audit: ${oneLine(e.message)}\n`);
      return 2;
    }
    if (e instanceof AuditCouldNotRunError) {
      io.stderr.write(`emr-audit: ${oneLine(e.message)}\n`);
      return 3;
    }
    // A bug or an unexpected failure: the audit did not complete.
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`emr-audit: the audit could not run: ${oneLine(err.message)}${io.env.EMR_AUDIT_DEBUG ? '' : ' (set EMR_AUDIT_DEBUG=1 for details)'}\n`);
    if (io.env.EMR_AUDIT_DEBUG && err.stack) io.stderr.write(`${err.stack}\n`);
    return 3;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout.write(MAIN_HELP);
    return 0;
  }
  // -v as well as -V: both spellings are common, and -v has no other meaning before a command.
  if (first === '--version' || first === '-V' || first === '-v' || first === 'version') {
    io.stdout.write(versionText());
    return 0;
  }
  if (first === 'help') return help(rest, io);
  if (first.startsWith('-')) throw new UsageError(await leadingOptionHint(first));
  const load = COMMANDS[first];
  if (!load) {
    const guess = closest(first, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${first}"${guess ? ` (did you mean ${guess}?)` : ''}; run \`emr-audit help\``);
  }
  const command = await load();
  return command(rest, io);
}

// The top level's own options, and each command's (loaded only on this error path).
const TOP_LEVEL_OPTIONS = ['--help', '-h', '--version', '-V', '-v'];
const COMMAND_FLAGS: Record<string, () => Promise<FlagSpecs>> = {
  scan: async () => (await import('./commands/scan.js')).FLAGS,
  collect: async () => (await import('./commands/collect.js')).FLAGS,
  checks: async () => (await import('./commands/checks.js')).FLAGS,
  permissions: async () => (await import('./commands/permissions.js')).FLAGS,
  'change-events': async () => (await import('./commands/change-events.js')).FLAGS,
};

/**
 * The message for an option given before any command: where it belongs when a command takes it,
 * else the nearest top-level option. Never an example that would itself be refused.
 */
async function leadingOptionHint(option: string): Promise<string> {
  const takers: string[] = [];
  for (const [name, load] of Object.entries(COMMAND_FLAGS)) if (takesOption(await load(), option)) takers.push(name);
  if (takers.length > 0) {
    const example = takers.map((c) => `\`emr-audit ${c} ${option}\``).join(' or ');
    return `unknown option ${option}: options go after the command, e.g. ${example}; run \`emr-audit help\``;
  }
  const guess = option.startsWith('--') ? closest(option, TOP_LEVEL_OPTIONS.filter((o) => o.startsWith('--'))) : undefined;
  return `unknown option ${option}${guess ? ` (did you mean ${guess}?)` : ''}; run \`emr-audit help\``;
}

async function help(topics: readonly string[], io: CliIo): Promise<number> {
  const [topic, extra] = topics;
  if (topic === undefined) {
    io.stdout.write(MAIN_HELP);
    return 0;
  }
  if (extra !== undefined) throw new UsageError(`help takes one topic (got "${topic} ${extra}")`);
  const text = HELP_TOPICS[topic];
  if (!text) {
    const guess = closest(topic, Object.keys(HELP_TOPICS));
    throw new UsageError(`no help on "${topic}"${guess ? ` (did you mean ${guess}?)` : ''}; topics: ${Object.keys(HELP_TOPICS).filter((t) => t !== 'list-checks').join(', ')}`);
  }
  io.stdout.write(await text());
  return 0;
}

/** Messages go on one line: the contract promises one line on stderr for a usage error. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
