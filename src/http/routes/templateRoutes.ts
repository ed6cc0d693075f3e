// The WhatsApp template registry: operators register approved templates (and which
// automatic notice each stands in for); agents list them for a picker.
import { z } from 'zod';
import { Locale } from '../../config/env.ts';
import { createTemplate, deleteTemplate, listTemplates, TemplateInput, TemplateList, TemplateView } from '../../templates/templates.ts';
import { route, type RouteDef } from '../route.ts';

const TemplateParams = z.object({ id: z.uuid({ message: 'template id must be a UUID' }) });
const TemplateDeleted = z.object({ deleted: z.uuid() });

export const templateRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/admin/templates',
    operationId: 'createTemplate',
    tag: 'Admin',
    summary: 'Register an approved WhatsApp template',
    description:
      'Outside the 24-hour window WhatsApp takes only approved templates. A template with `notice` is sent in place of that automatic notice there ' +
      '(its body parameters filled from `parameters`); a notice with no template in the conversation’s language is not sent, and that is recorded.',
    auth: 'admin',
    body: {
      schema: TemplateInput,
      name: 'TemplateInput',
      example: { name: 'agent_joined', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: '{{1}} from our team has joined the conversation.' }], parameters: ['name'], notice: 'escalation:agentJoined' },
    },
    responses: { 201: { description: 'The registered template.', schema: TemplateView, name: 'Template' } },
    customErrors: { 409: { description: 'A template with this name and language is registered.', example: { error: 'template_exists', message: 'a template agent_joined in en is registered already' } } },
    handler: async ({ rt, body }) => ({ status: 201 as const, body: await createTemplate(rt.db, body) }),
  }),
  route({
    method: 'get',
    path: '/api/admin/templates',
    operationId: 'listAllTemplates',
    tag: 'Admin',
    summary: 'Every registered WhatsApp template',
    auth: 'admin',
    responses: { 200: { description: 'The templates.', schema: TemplateList, name: 'TemplateList' } },
    handler: async ({ rt }) => ({ status: 200 as const, body: await listTemplates(rt.db) }),
  }),
  route({
    method: 'delete',
    path: '/api/admin/templates/:id',
    operationId: 'deleteTemplate',
    tag: 'Admin',
    summary: 'Unregister a WhatsApp template',
    auth: 'admin',
    params: TemplateParams,
    responses: { 200: { description: 'It is gone.', schema: TemplateDeleted, name: 'TemplateDeleted' } },
    errors: ['NotFound'],
    handler: async ({ rt, params }) => {
      await deleteTemplate(rt.db, params.id);
      return { status: 200 as const, body: { deleted: params.id } };
    },
  }),
  route({
    method: 'get',
    path: '/api/templates',
    operationId: 'listTemplates',
    tag: 'Agents',
    summary: 'WhatsApp templates for a picker',
    description: 'With `locale`, the templates in that language (Meta codes such as hi and hi_IN both match hi).',
    auth: 'agent',
    query: z.object({ locale: Locale.optional() }),
    responses: { 200: { description: 'The templates.', schema: TemplateList, name: 'TemplateList' } },
    handler: async ({ rt, query }) => ({ status: 200 as const, body: await listTemplates(rt.db, query.locale) }),
  }),
];
