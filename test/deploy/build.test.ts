import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRoleStatements } from '../../lib/permissions.js';
import { BUNDLE_NAME, bundleHandler, HANDLER_ENTRY, writeIamStatements } from '../../scripts/build.js';
import { ROOT, run } from './helpers.js';

const STS_RESPONSE =
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
  '<Arn>arn:aws:iam::123456789012:user/test</Arn><UserId>AIDATEST</UserId><Account>123456789012</Account>' +
  '</GetCallerIdentityResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></GetCallerIdentityResponse>';

/**
 * Import the bundle in a fresh Node process (as Lambda does) and print what `script` returns. Any
 * AWS call it makes goes to a closed loopback port.
 */
function importInNode(bundle: string, script: string) {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(await (${script})(m));`;
  return run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
}

const LAMBDA_CONTEXT = `{
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:emr-audit-dev-audit',
  functionName: 'emr-audit-dev-audit', functionVersion: '$LATEST', memoryLimitInMB: '1024',
  awsRequestId: 'test-request', getRemainingTimeInMillis: () => 900000,
}`;

let outDir: string;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'emr-audit-build-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(STS_RESPONSE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(outDir, { recursive: true, force: true });
});

describe('bundleHandler', () => {
  it('produces a self-contained ESM bundle whose SDK calls work in a fresh Node process', async () => {
    const dir = join(outDir, 'probe');
    const report = await bundleHandler({ entry: join(ROOT, 'test/deploy/fixtures/sdk-probe.ts'), outDir: dir });
    expect(report.file).toBe(join(dir, BUNDLE_NAME));
    const code = await readFile(report.file, 'utf8');
    // CommonJS code in the bundle may still require() Node built-ins: the banner provides `require`.
    expect(code.startsWith("import { createRequire as __emrAuditCreateRequire } from 'node:module';")).toBe(true);
    // Bundled, not external: no bare import of the SDK is left for Lambda's runtime to resolve.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(report.bytes).toBe(Buffer.byteLength(code));
    expect(report.gzipBytes).toBeGreaterThan(0);
    expect(report.gzipBytes).toBeLessThan(report.bytes);

    const result = await importInNode(report.file, `(m) => m.probe(${JSON.stringify(endpoint)})`);
    expect(result.stderr).not.toMatch(/Dynamic require/);
    expect(result.stdout.trim()).toBe('account=123456789012');
  });

  it('fails with the missing entry named', async () => {
    await expect(bundleHandler({ entry: join(ROOT, 'functions/does-not-exist.ts'), outDir: join(outDir, 'missing') })).rejects.toThrow(
      'Lambda handler functions/does-not-exist.ts not found',
    );
  });

  describe.skipIf(!existsSync(HANDLER_ENTRY))('of functions/audit.ts', () => {
    let bundle: string;
    beforeAll(async () => {
      const report = await bundleHandler({ outDir: join(outDir, 'handler') });
      bundle = report.file;
      // TOOLING.md: the bundled SDK is ~1.2 MB; several MB would mean the CJS builds or all zod locales were picked.
      expect(report.bytes).toBeLessThan(3 * 1024 * 1024);
    }, 30_000);

    it('leaves out the report formats only the CLI renders (SARIF, OCSF, CSV)', async () => {
      const code = await readFile(bundle, 'utf8');
      expect(code).not.toContain('json.schemastore.org/sarif');
      expect(code).not.toContain('Compliance Finding');
      expect(code).not.toMatch(/["']cluster_id["'],\s*["']cluster_name["']/);
      // The compliance mapping is in: the ASFF findings the Lambda imports carry it.
      expect(code).toContain('PCI DSS v4.0.1/1.4.4');
    });

    it('exports `handler`', async () => {
      const result = await importInNode(bundle, '(m) => typeof m.handler');
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('function');
    });

    it('runs: a foreign event is rejected with a message naming it, before any AWS call', async () => {
      const invoke = `(m) => m.handler({ source: 'somebody-else', 'detail-type': 'x', detail: {} }, ${LAMBDA_CONTEXT})
        .then((r) => 'accepted ' + JSON.stringify(r), (e) => 'rejected ' + e.message)`;
      const result = await importInNode(bundle, invoke);
      const last = result.stdout.trim().split('\n').at(-1) ?? '';
      expect(last).toMatch(/^rejected .*somebody-else/);
      expect(result.stdout + result.stderr).not.toMatch(/ECONNREFUSED|Dynamic require/);
    });

    it('leaves out the CLI-only report code (HTML renderer, format registry)', async () => {
      const code = await readFile(bundle, 'utf8');
      expect(code).not.toContain('Content-Security-Policy');
      expect(code).not.toContain('results shown');
    });
  });
});

describe('writeIamStatements', () => {
  it('writes the role statements serverless.yml reads, the same data as buildRoleStatements', async () => {
    const dir = join(outDir, 'iam');
    const file = await writeIamStatements(dir);
    expect(file).toBe(join(dir, 'iam-statements.json'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(buildRoleStatements({ publish: true, deployment: true }));
  });
});
