// @ts-check
/**
 * `npm run lint` (and part of `npm test`): ESLint's recommended rules and typescript-eslint's
 * `recommended` over the TypeScript and the plain JavaScript of the repository. Not the type-checked
 * presets: they run the type checker per file and make lint slow; `tsc` in `npm test` checks types.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Generated, vendored or written by a run; patterns without a leading ** match at the root only
  // (lib/gitops/ is source; gitops/ beside dist/ is synth's output).
  globalIgnores([
    'build/', 'dist/', 'vendor/', 'imports/', 'reports/', 'coverage/', 'gitops/',
    '.dist-*/', '.stryker-tmp/', '.stryker-tmp-*/', 'test/output/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // The ~430 `any`s (370 in test/) type untyped kubectl JSON, parsed YAML, JSON Schema; noImplicitAny still bites.
      '@typescript-eslint/no-explicit-any': 'off',
      // As tsc's noUnusedParameters: a parameter named _x is unused on purpose; so is a key left out by `...rest`.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: {
      // The .js files are CommonJS on purpose (run by node or jest before or without the TypeScript build).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
