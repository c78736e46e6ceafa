// `npm run lint` (the `lint` suite of `npm test`): typescript-eslint's recommended rules, the house format as
// @stylistic rules (checked, and fixed by `npm run lint -- --fix`), React's hook rules, and the data path as import
// rules: each layer imports only the layers below it (ui → store → protocol → seal → engine; bench beside the protocol),
// the SEAL core imports no track, and no track imports another.
import stylistic from '@stylistic/eslint-plugin';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const below = (target, from, message) => ({ target, from, message });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/.data/**', '**/.gpu/**', 'public/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { '@stylistic': stylistic, 'import-x': importX, 'react-hooks': reactHooks },
    // import-x skips any module whose extension is not listed here (its default is JavaScript only): without these,
    // no-cycle never followed a TypeScript import. tests/unit/lint_rules.test.ts plants a violation of each rule.
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, flatTernaryExpressions: true, offsetTernaryExpressions: true, ignoredNodes: ['TSUnionType', 'TSIntersectionType'] }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/max-len': ['error', { code: 180, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: false }],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/comma-spacing': 'error',
      '@stylistic/key-spacing': 'error',
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/arrow-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/member-delimiter-style': 'error',
      '@stylistic/type-annotation-spacing': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          below('./src/engine', ['./src/seal', './src/protocol', './src/store', './src/ui', './src/bench'], 'the engine imports nothing above it'),
          below('./src/bench', ['./src/seal', './src/protocol', './src/store', './src/ui'], 'the benchmark reads the engine only'),
          below('./src/seal', ['./src/protocol', './src/store', './src/ui', './src/bench'], 'the SEAL loops run below the worker'),
          below('./src/seal/core', ['./src/seal/arc', './src/seal/knowledge', './src/seal/tracks.ts'], 'the SEAL core imports no track'),
          below('./src/seal/arc', ['./src/seal/knowledge', './src/seal/tracks.ts'], 'a track imports no other track'),
          below('./src/seal/knowledge', ['./src/seal/arc', './src/seal/tracks.ts'], 'a track imports no other track'),
          below('./src/protocol', ['./src/store', './src/ui'], 'the protocol layer knows nothing of the UI'),
          below('./src/store', ['./src/ui'], 'the store knows nothing of the components'),
        ],
      }],
    },
  },
  { files: ['**/*.tsx'], rules: reactHooks.configs.recommended.rules },
);
