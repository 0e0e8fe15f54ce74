// `npm run openapi`: regenerates docs/openapi.json from the route schemas.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, serialiseOpenApi } from './openapi.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const target = path.join(repoRoot, 'docs', 'openapi.json');
const doc = await buildOpenApiDocument();
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, serialiseOpenApi(doc));
process.stdout.write(`wrote ${path.relative(repoRoot, target)}\n`);
