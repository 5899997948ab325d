// ESLint for the repository's JavaScript: the dashboard, the conformance suite, the TypeScript SDK's scripts and the Node.js example (bin/loupe test runs `npx eslint`; `npx eslint --fix` fixes what it can).
// The dashboard is plain ES modules served as they are, no bundler: metrics-aggregator serves
// src/main/resources/META-INF/resources/app/ and index.html loads app/main.js with <script type="module">.
import js from '@eslint/js';
import globals from 'globals';

export default [
  // sdk/typescript/dist is tsc's output (linted as TypeScript source by tsc's strict settings, not here)
  {ignores: ['**/target/**', '**/node_modules/**', '.loupe/**', 'sdk/typescript/dist/**']},
  js.configs.recommended,
  {
    files: ['metrics-aggregator/src/main/resources/META-INF/resources/app/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: {
        ...globals.browser,
        // uPlot is loaded as a classic script (the webjar's uPlot.iife.min.js) before the modules run
        uPlot: 'readonly',
      },
    },
  },
  {
    // the conformance suite's scenario scripts and fake provider (Node.js 20, ES modules)
    files: ['conformance/**/*.mjs'],
    languageOptions: {ecmaVersion: 'latest', sourceType: 'module', globals: globals.node},
  },
  {
    // the TypeScript SDK's build script, tests and benchmark, and the Node.js example's backend (Node.js 18+)
    files: ['sdk/typescript/{scripts,test,bench}/**/*.mjs', 'examples/node-chat/*.mjs', 'examples/node-chat/test/**/*.mjs'],
    languageOptions: {ecmaVersion: 'latest', sourceType: 'module', globals: globals.node},
  },
  {
    // the example's page: ES modules in the browser
    files: ['examples/node-chat/public/**/*.mjs'],
    languageOptions: {ecmaVersion: 'latest', sourceType: 'module', globals: globals.browser},
  },
  {
    files: ['eslint.config.js'],
    languageOptions: {ecmaVersion: 'latest', sourceType: 'module', globals: globals.node},
  },
];
