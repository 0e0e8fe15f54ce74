#!/usr/bin/env node
// Entry point of the `borealis` admin CLI: runs the command line against the process's stdio
// and environment, then sets the exit status (0 ok, 1 API/runtime error, 2 usage error).
import { processIo } from './cli-context.js';
import { run } from './program.js';

const io = processIo();
try {
  process.exitCode = await run(process.argv, io);
} finally {
  io.close();
}
