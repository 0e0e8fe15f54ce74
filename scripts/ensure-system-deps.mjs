#!/usr/bin/env node
// pretest: makes sure the Debian packages the test suite needs are present. As root it installs
// the missing ones with apt-get; otherwise it prints the exact command and stops.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const hasPgServer = () =>
  fs.existsSync('/usr/lib/postgresql') &&
  fs
    .readdirSync('/usr/lib/postgresql')
    .some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));

const needs = [
  { pkg: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { pkg: 'postgresql', present: hasPgServer },
];

const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const line = `apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(
    `The test suite needs Debian packages that are not installed. Run as root:\n  ${line}`,
  );
  process.exit(1);
}
console.log(`Installing Debian packages the tests need: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
const still = needs.filter((n) => missing.includes(n.pkg) && !n.present()).map((n) => n.pkg);
if (still.length) {
  console.error(`apt-get finished but these are still missing: ${still.join(', ')}`);
  process.exit(1);
}
