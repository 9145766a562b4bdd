/** Helpers of the deployment tests: fake checks, and running osls/node in a child process. */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterCheck } from '../../checks/contract.js';
import { VPC_PERMISSIONS } from '../../lib/collect/needs.js';
import { writeIamStatements } from '../../scripts/build.js';
import { zipEntryNames } from './zip.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OSLS_BIN = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

/**
 * Whether a registered check reads the path from the internet (ec2:DescribeSubnets,
 * ec2:DescribeRouteTables, ec2:DescribeNetworkAcls). The deployed role holds the three exactly then:
 * least privilege grants nothing no check reads.
 */
export function registryReadsPath(checks: readonly { permissions: readonly string[] }[]): boolean {
  return checks.some((c) => c.permissions.some((p) => (VPC_PERMISSIONS as readonly string[]).includes(p)));
}

/** The metadata `exposure/internet-reachable-port` declares (its permissions), as a stub. */
export function reachabilityCheckStub(): ClusterCheck {
  return makeCheck('exposure/internet-reachable-port', [
    'elasticmapreduce:DescribeCluster',
    'ec2:DescribeInstances',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeManagedPrefixLists',
    'ec2:GetManagedPrefixListEntries',
    ...VPC_PERMISSIONS,
  ]);
}

/** A check that only carries the permissions a test is about. */
export function makeCheck(id: string, permissions: string[]): ClusterCheck {
  return {
    id,
    title: `Test check ${id}`,
    severity: 'LOW',
    scope: 'cluster',
    description: 'A check for permission tests.',
    types: ['Software and Configuration Checks/AWS Security Best Practices'],
    remediation: { text: 'Nothing to do.', url: 'https://docs.aws.amazon.com/emr/' },
    permissions,
    settings: [],
    evaluate: () => [],
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * An environment for osls with no real credentials or profile: packaging must work offline. HOME
 * is a stable temporary directory so osls's compiled config-schema cache survives between runs
 * (cold: ~4 s per package, warm: ~1.5 s).
 */
export function offlineEnv(): Record<string, string> {
  const home = join(tmpdir(), 'emr-audit-test-osls-home');
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
  };
}

/** What serverless.yml reads besides itself: package.json (the version tag); its local plugins are under scripts/. */
const SERVICE_FILES = ['serverless.yml', 'package.json'];

/**
 * A scratch copy of the service (so the checkout's dist/ and .serverless/ are left alone), with the
 * generated role statements and a stand-in for the handler bundle (tested in build.test.ts).
 * `cleanup()` removes every copy made.
 */
export async function scratchService(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'emr-audit-sls-'));
  scratchDirs.push(dir);
  for (const f of SERVICE_FILES) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await copyFile(join(ROOT, f), join(dir, f));
  }
  // The plugins serverless.yml loads (the settings validation runs lib/settings.ts from the checkout).
  await symlink(join(ROOT, 'scripts'), join(dir, 'scripts'), 'dir');
  await writeIamStatements(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'audit.mjs'), 'export const handler = async () => ({});\n');
  await writeFile(join(dir, 'stray.txt'), 'must not be packaged\n');
  return dir;
}

const scratchDirs: string[] = [];

export async function cleanupScratchServices(): Promise<void> {
  await Promise.all(scratchDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export interface OslsPackage {
  /** .serverless/cloudformation-template-update-stack.json, parsed but not validated. */
  template: unknown;
  zipEntries: string[];
  output: string;
}

/** `osls package` of a scratch service, offline. */
export async function oslsPackage(dir: string, args: string[]): Promise<OslsPackage> {
  const result = await run(process.execPath, [OSLS_BIN, 'package', ...args], { cwd: dir, env: offlineEnv() });
  if (result.code !== 0) throw new Error(`osls package failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return {
    template: JSON.parse(await readFile(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')),
    zipEntries: zipEntryNames(await readFile(join(dir, '.serverless', 'emr-audit.zip'))),
    output: result.stdout + result.stderr,
  };
}
