#!/usr/bin/env -S node --max-semi-space-size=64
// The `palisade` command. Runs the compiled CLI (built by `npm install` through the root `prepare` script).
import { main } from '../dist/main.js';

// Output piped into a reader that stops early (`palisade … | head`): stop quietly, as Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
