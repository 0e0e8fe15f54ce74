// docs/openapi.json is generated from the route schemas; this fails when it drifts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, serialiseOpenApi } from '../../src/tools/openapi.js';

const docPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../docs/openapi.json',
);

describe('docs/openapi.json', () => {
  it('matches the routes (run `npm run openapi` after changing a route)', async () => {
    const current = serialiseOpenApi(await buildOpenApiDocument());
    const committed = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : '';
    expect(committed, 'docs/openapi.json is stale: run `npm run openapi`').toBe(current);
    const doc = JSON.parse(current) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/auth/login');
    expect(Object.keys(doc.paths)).toContain('/health');
  });
});
