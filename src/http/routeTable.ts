// Every route Baton serves, each declared once (see ./route.ts). The Express routes
// (./mount.ts) and GET /openapi.json (./openapi.ts) are both generated from this list.
// To add a route: declare it with route({...}) in the file of its area under ./routes/
// and make sure that file's list is spread here.
import type { RouteDef } from './route.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { agentRoutes } from './routes/agentRoutes.ts';
import { channelRoutes } from './routes/channelRoutes.ts';
import { ledgerRoutes } from './routes/ledgerRoutes.ts';
import { mediaRoutes } from './routes/mediaRoutes.ts';
import { operationsRoutes } from './routes/operationsRoutes.ts';
import { queueDashboardRoutes } from './routes/queueDashboardRoutes.ts';
import { smsRoutes } from './routes/smsRoutes.ts';
import { templateRoutes } from './routes/templateRoutes.ts';
import { webchatRoutes } from './routes/webchatRoutes.ts';
import { whatsappRoutes } from './routes/whatsappRoutes.ts';
import { workspaceRoutes } from './routes/workspaceRoutes.ts';

export const ROUTES: readonly RouteDef[] = [
  ...whatsappRoutes,
  ...smsRoutes,
  ...webchatRoutes,
  ...adminRoutes,
  ...agentRoutes,
  ...channelRoutes,
  ...workspaceRoutes,
  ...mediaRoutes,
  ...templateRoutes,
  ...ledgerRoutes,
  ...operationsRoutes,
  ...queueDashboardRoutes,
];
