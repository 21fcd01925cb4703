// Rewrites the per-field status table of README.md from src/api/field-support.ts (run after
// `npm run build`); src/api/field-support.test.ts fails while the README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFieldSupportTable } from '../dist/src/api/field-support-table.js';

const readme = readFileSync('README.md', 'utf8');
const next = withFieldSupportTable(readme);
if (next !== readme) writeFileSync('README.md', next);
process.stdout.write(next === readme ? 'README.md is up to date\n' : 'README.md field table updated\n');
