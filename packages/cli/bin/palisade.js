#!/usr/bin/env -S node --max-semi-space-size=64
// The `palisade` command. Runs the compiled CLI (built by `npm install` through the root `prepare` script).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv);
