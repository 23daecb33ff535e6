// `mso service` for the long-work test service: one copy in its own process.
import { runServiceProcess } from '../../src/index.js';
import { longWork } from './service.js';

await runServiceProcess(longWork);
