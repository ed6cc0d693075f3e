// `npm start`: everything in one process, with embedded defaults.
import { boot } from './boot.ts';

await boot({ api: true, workers: true, seed: true });
