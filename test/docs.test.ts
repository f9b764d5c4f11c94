/** The documents that describe the code must agree with it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  currentCompatibilityTables,
  documentedCompatibilityTables,
} from '../scripts/compatibility-table.ts';
import { ConfigSchema, ENVIRONMENT_VARIABLES } from '../src/config/config-schema.ts';

describe('documentation', () => {
  it('docs/compatibility.md lists exactly the endpoints the server registers', async () => {
    expect(documentedCompatibilityTables()).toBe(await currentCompatibilityTables());
  });

  it('docs/configuration.md documents every setting and its variable', () => {
    const text = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    for (const key of Object.keys(ConfigSchema.shape))
      expect(text, `config key ${key}`).toContain(`\`${key}\``);
    for (const variable of Object.values(ENVIRONMENT_VARIABLES))
      expect(text, variable).toContain(`\`${variable}\``);
  });

  it('the README shows the two quickstart commands', () => {
    const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm test');
  });
});
