/**
 * The StackSet artefacts, written by `npm run package` after `osls package`:
 *   dist/emr-audit.template.json   plain CloudFormation template (docs/organization.md)
 *   dist/emr-audit-<version>.zip   the function code that `npm run publish` uploads
 * The template is derived from osls's own output for serverless.yml (./stackset/transform.ts), so
 * serverless.yml, the generated role statements and the settings specs stay the one source.
 *   node --import tsx scripts/stackset.ts
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { CHECK_IDS } from '../checks/index.js';
import { codeKeyFor, STAGE_SENTINEL, stackSetParameters } from './stackset/parameters.js';
import { toStackSetTemplate, type CfnTemplate } from './stackset/transform.js';
import { ROOT } from './build.js';

export const TEMPLATE_NAME = 'emr-audit.template.json';
/** The Region osls packages the sentinel run for; nothing of it may reach the template. */
const PACKAGE_REGION = 'us-east-1';

const OslsTemplate = z.object({ Resources: z.record(z.string(), z.object({ Type: z.string() }).loose()) }).loose();

export async function packageVersion(serviceDir: string): Promise<string> {
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(await readFile(join(serviceDir, 'package.json'), 'utf8'))).version;
}

function runOsls(serviceDir: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const bin = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
  return new Promise((done, fail) => {
    execFile(process.execPath, [bin, ...args], { cwd: serviceDir, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`osls ${args[0]} failed:\n${stdout}\n${stderr}`));
      else done();
    });
  });
}

export interface StackSetArtefacts {
  template: CfnTemplate;
  templateFile: string;
  codeFile: string;
}

/**
 * A copy of the service to package in: osls empties `<service>/.serverless` on every package, even
 * with `--package elsewhere`, and the checkout's `.serverless/` holds the template of the plain
 * `osls package` that `npm run package` ran just before (the one the docs tell users to review).
 */
async function serviceCopy(serviceDir: string, into: string): Promise<string> {
  const copy = join(into, 'service');
  await mkdir(copy, { recursive: true });
  for (const f of ['serverless.yml', 'package.json']) await copyFile(join(serviceDir, f), join(copy, f));
  // The local plugins and variable sources serverless.yml loads (they import lib/ beside them).
  await symlink(join(serviceDir, 'scripts'), join(copy, 'scripts'), 'dir');
  await cp(join(serviceDir, 'dist'), join(copy, 'dist'), { recursive: true, filter: (src) => !basename(src).startsWith('emr-audit') });
  return copy;
}

/**
 * Package `serviceDir` (serverless.yml, dist/ built) with every param at its sentinel, transform
 * the result and write the artefacts to `outDir`. `serviceDir` itself is left untouched.
 */
export async function renderStackSet(options: { serviceDir: string; outDir: string; env?: NodeJS.ProcessEnv }): Promise<StackSetArtefacts> {
  const version = await packageVersion(options.serviceDir);
  const parameters = stackSetParameters({ version, checkIds: CHECK_IDS });
  const scratch = await mkdtemp(join(tmpdir(), 'emr-audit-stackset-'));
  try {
    const params = parameters.flatMap((p) => (p.param && p.sentinel ? ['--param', `${p.param}=${p.sentinel}`] : []));
    const service = await serviceCopy(options.serviceDir, scratch);
    const packaged = join(scratch, 'package');
    await runOsls(service, ['package', '--package', packaged, '--stage', STAGE_SENTINEL, '--region', PACKAGE_REGION, ...params], options.env ?? process.env);
    const osls = OslsTemplate.parse(JSON.parse(await readFile(join(packaged, 'cloudformation-template-update-stack.json'), 'utf8'))) as unknown as CfnTemplate;
    const template = toStackSetTemplate(osls, {
      parameters,
      stageSentinel: STAGE_SENTINEL,
      description: `emr-audit ${version}: audits the account's EMR clusters and keeps Security Hub findings in step (one stack per account and Region; code from <CodeBucketPrefix>-<Region>/<CodeKey>)`,
    });
    await mkdir(options.outDir, { recursive: true });
    const templateFile = join(options.outDir, TEMPLATE_NAME);
    // Compact: `--template-body` takes at most 51,200 bytes, and the indentation alone was a third
    // of them (`jq . dist/emr-audit.template.json` to read it).
    await writeFile(templateFile, `${JSON.stringify(template)}\n`);
    const codeFile = join(options.outDir, codeKeyFor(version));
    await copyFile(join(packaged, 'emr-audit.zip'), codeFile);
    return { template, templateFile, codeFile };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv.length > 0) throw new Error(`unknown option ${argv.join(' ')}`);
  const { template, templateFile, codeFile } = await renderStackSet({ serviceDir: ROOT, outDir: join(ROOT, 'dist') });
  const bytes = (await readFile(templateFile)).length;
  console.log(
    `${relative(ROOT, templateFile)}: ${Object.keys(template.Parameters ?? {}).length} parameters, ${Object.keys(template.Resources).length} resources, ${(bytes / 1024).toFixed(0)} KiB`,
  );
  console.log(`${relative(ROOT, codeFile)}: the code zip for npm run publish`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`stackset failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
