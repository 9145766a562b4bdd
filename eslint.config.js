import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-cli/', 'test-artifacts/', '.serverless/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // One clock per run (lib/clock.ts), injected from the entry point: below it, nothing reads
    // the system time or sets a timer of its own, or a deadline and the calls measured against
    // it can disagree.
    files: ['lib/**/*.ts', 'functions/**/*.ts', 'cli/**/*.ts'],
    ignores: ['lib/clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read the run\'s injected Clock (lib/clock.ts).' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read the run\'s injected Clock (lib/clock.ts).' },
        { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read the run\'s injected Clock (lib/clock.ts).' },
        { selector: "CallExpression[callee.name=/^set(Timeout|Interval)$/]", message: 'Use the run\'s injected Clock (lib/clock.ts) for timers.' },
      ],
    },
  },
  {
    // Checks are pure: the AWS SDK, the clock and the environment stay out of them.
    files: ['checks/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aws-sdk/*', 'node:*'], message: 'checks/ is pure: no I/O.' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'checks/ is pure: settings come in the context.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'checks/ is pure: time comes in the context.' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'checks/ is pure: time comes in the context.' }],
    },
  },
);
