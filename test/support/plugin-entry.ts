import { main } from '../../src/cli/session-manager-plugin.js';

await main(process.argv);
