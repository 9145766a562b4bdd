import fc from 'fast-check';

// No test may reach AWS: fake credentials and an unroutable endpoint catch any client a test forgot to mock.
process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'secret-test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Property tests run from one fixed seed, so a run is reproducible and CI cannot turn red by the
// luck of the draw; `EMR_AUDIT_TEST_FC_SEED=random` (or a number) explores other cases.
const seed = process.env.EMR_AUDIT_TEST_FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed !== undefined && /^\d+$/.test(seed) ? Number(seed) : 20261202 });
