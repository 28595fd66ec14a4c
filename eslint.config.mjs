// ESLint 9 flat config: typescript-eslint's type-aware recommended rules, plus the ones that catch this
// code base's likely bugs (a promise nobody awaits, loose equality, stray console output).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', '.data/', 'src/graphql/generated/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its errors and races what follows; `void` marks the deliberate ones.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where the caller ignores the result (event handlers, forEach) loses its rejections.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `== null` stays allowed: it is the one check for "null or left out" on GraphQL inputs.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The server logs through pino (structured, leveled); console output is for command-line scripts.
      'no-console': 'error',
      // A leading underscore names what is left out on purpose (`{ http: _http, ...rest }`, unused arguments).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Apollo's plugin hooks and gateway, and inTransaction's work, must return promises: `async` without
      // an `await` is how they are written, not a forgotten await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Command-line scripts and tests print to the terminal on purpose.
    files: ['src/bench/**', 'src/db/cli.ts', 'src/db/create-migration.ts', 'src/db/seed/cli.ts', 'src/test/**', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read JSON answers by path and check them with `expect`, whose asymmetric matchers
    // (expect.any, objectContaining) are typed `any`: a wrong path or shape fails the assertion itself.
    files: ['src/test/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (this file): no type information to lint with.
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
