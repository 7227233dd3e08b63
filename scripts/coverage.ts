/**
 * Writes docs/coverage.md: for each service, which operations of the AWS model
 * fedgate serves and which answer NotImplemented. Run with `npm run coverage`;
 * a test fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { coverageMarkdown } from '../src/services/coverage.js';

const target = fileURLToPath(new URL('../docs/coverage.md', import.meta.url));
writeFileSync(target, coverageMarkdown());
process.stdout.write(`wrote ${target}\n`);
