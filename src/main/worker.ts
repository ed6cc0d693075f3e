// `npm run worker`: queue workers only, for scaling out beside API processes.
import { boot } from './boot.ts';

await boot({ api: false, workers: true, seed: false });
