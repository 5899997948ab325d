// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with .d.ts, from src/ with the TypeScript compiler.
// dist/cjs/package.json says "commonjs", so Node reads those .js files as CommonJS inside a "type": "module" package.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const run = (...args) => execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), ...args], { stdio: 'inherit' });
run();
run('--module', 'CommonJS', '--moduleResolution', 'Node10', '--outDir', join(root, 'dist/cjs'));
mkdirSync(join(root, 'dist/cjs'), { recursive: true });
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
console.log('built dist/esm and dist/cjs');
