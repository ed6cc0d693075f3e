// `npm run api`: the HTTP API; workers too unless BATON_WORKERS=off.
import { boot, configOrExit } from './boot.ts';

await boot({ api: true, workers: configOrExit().workers === 'inline', seed: false });
