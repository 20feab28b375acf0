import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'synack-out/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The core (everything below the sockets API) must bundle for a browser: no Node built-ins.
    files: [
      'src/wire/**/*.ts',
      'src/tcp/**/*.ts',
      'src/host/**/*.ts',
      'src/sim/**/*.ts',
      'src/link/**/*.ts',
      'src/viz/**/*.ts',
      'src/record/**/*.ts',
    ],
    ignores: ['src/**/*.test.ts', 'src/**/*.test-util.ts', 'src/link/tun/**', 'src/link/*-node.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'net', 'os', 'crypto', 'stream', 'events', 'path', 'buffer', 'util'] },
      ],
    },
  },
);
