// `npm run stand-in`: a local stand-in for Graph API and Twilio that prints what
// Baton sends. Start Baton with WHATSAPP_API_BASE / TWILIO_API_BASE pointing here.
import { startStandInProvider } from './standInProvider.ts';

const port = Number(process.env.STAND_IN_PORT ?? 4010);
const provider = await startStandInProvider(port, (r) => {
  process.stdout.write(`\n${new Date().toISOString()} ${r.method} ${r.path}\n${r.json ? JSON.stringify(r.json, null, 2) : r.body}\n`);
});
process.stdout.write(
  `Stand-in provider listening on ${provider.url}\n` +
    `Start Baton with: WHATSAPP_API_BASE=${provider.url} TWILIO_API_BASE=${provider.url} npm start\n`,
);
process.on('SIGINT', () => void provider.close().then(() => process.exit(0)));
