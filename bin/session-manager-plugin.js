#!/usr/bin/env node
import { main } from '../dist/cli/session-manager-plugin.js';

await main(process.argv);
