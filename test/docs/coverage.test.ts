import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { coverageMarkdown } from '../../src/services/coverage.js';

describe('docs/coverage.md', () => {
  it('matches the operation tables (run `npm run coverage` after adding an operation)', () => {
    const committed = readFileSync(new URL('../../docs/coverage.md', import.meta.url), 'utf8');
    assert.equal(committed, coverageMarkdown());
  });
});
