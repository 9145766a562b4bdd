import { describe, expect, it } from 'vitest';
import { credentialProperties, isLiteral, marksCredential } from '../../lib/configuration-credentials.js';

describe('configuration credentials (CHECKS.md secrets/plaintext-in-configurations)', () => {
  it.each([
    'javax.jdo.option.ConnectionPassword',
    'fs.s3a.secret.key',
    'fs.s3a.access.key',
    'AWS_SECRET_ACCESS_KEY',
    'spark.authenticate.secret',
    'hadoop.http.authentication.signature.secret',
    'db_passwd',
    'github-token',
    'azure.credentials',
  ])('%s marks a credential', (name) => expect(marksCredential(name)).toBe(true));

  it.each(['hadoop.security.credential.provider.path', 'fs.s3a.secret.key.provider', 'password.file', 'spark.executor.memory', 'hive.metastore.uris'])('%s does not', (name) =>
    expect(marksCredential(name)).toBe(false),
  );

  it.each([
    ['', false],
    ['   ', false],
    ['""', false],
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:hive-AbCdEf', false],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/hive/password', false],
    ['{{resolve:secretsmanager:hive:SecretString:password}}', false],
    ['jceks://s3a@bucket/hive.jceks', false],
    ['localjceks://file/etc/hive.jceks', false],
    ['file:///etc/secrets/hive', false],
    ['hdfs:///user/hive/secret', false],
    ['s3://bucket/key', false],
    ['hunter2', true],
    ['"AKIA-literal"', true],
    ['arn:aws:iam::123456789012:role/x', true],
  ] as const)('value %j is a literal: %s', (value, literal) => expect(isLiteral(value)).toBe(literal));

  it('walks nested classifications, keeps names only, each once', () => {
    const found = credentialProperties([
      { Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionPassword': 'SENTINEL-1', 'javax.jdo.option.ConnectionUserName': 'hive' } },
      {
        Classification: 'hadoop-env',
        Configurations: [{ Classification: 'export', Properties: { AWS_SECRET_ACCESS_KEY: '"SENTINEL-2"', AWS_ACCESS_KEY_ID: 'AKIA' } }],
      },
      { Classification: 'core-site', Properties: { 'fs.s3a.secret.key': 'jceks://hdfs/x', 'hadoop.security.credential.provider.path': 'SENTINEL-3' } },
      { Properties: { 'spark.authenticate.secret': 'SENTINEL-4' } },
      { Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionPassword': 'SENTINEL-1' } },
    ]);
    expect(found).toEqual([
      { classification: 'hive-site', property: 'javax.jdo.option.ConnectionPassword' },
      { classification: 'hadoop-env/export', property: 'AWS_SECRET_ACCESS_KEY' },
      { classification: '(unnamed)', property: 'spark.authenticate.secret' },
    ]);
    expect(JSON.stringify(found)).not.toContain('SENTINEL');
  });

  it('no Configurations: nothing', () => {
    expect(credentialProperties(undefined)).toEqual([]);
    expect(credentialProperties([])).toEqual([]);
  });
});
