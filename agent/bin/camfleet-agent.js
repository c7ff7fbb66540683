#!/usr/bin/env node
// Runs the agent's TypeScript source through tsx (no build step on the gateway).
import { register } from 'tsx/esm/api';

// npx runs bins from the workspace folder; file arguments are relative to where the user typed them.
if (process.env.npm_command === 'exec' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// Let stdout drain, but never hang on a leftover handle once the command is done.
setTimeout(() => process.exit(), 1000).unref();
