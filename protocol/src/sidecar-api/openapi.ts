/**
 * The OpenAPI 3.0 document of the sidecar's local API, built from `sidecarRoutes` and the
 * schemas, so docs/sidecar-openapi.yaml (checked against this by the sidecar's docs test) says
 * exactly what the sidecar validates and answers.
 */
import { sidecarEventsRoute, sidecarRoutes } from './routes.js';
import { errorSchema, namedSchemas } from './schemas.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REF_OF = new Map<unknown, string>(
  Object.entries(namedSchemas).map(([name, schema]) => [schema, name]),
);

/** `schema` as JSON, with every named schema inside it (not itself, unless asked) a $ref. */
function withRefs(schema: unknown, top = false): Json {
  const name = REF_OF.get(schema);
  if (name && !top) return { $ref: `#/components/schemas/${name}` };
  if (Array.isArray(schema)) return schema.map((item) => withRefs(item));
  if (typeof schema !== 'object' || schema === null) return schema as Json;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withRefs(v)]));
}

const json = (schema: unknown): Json => ({ 'application/json': { schema: withRefs(schema) } });

/**
 * The document, as a plain object (print it with any YAML or JSON writer).
 *
 * @example
 * writeFileSync('sidecar-openapi.yaml', stringify(sidecarOpenApi()));
 */
export function sidecarOpenApi(): { [key: string]: Json } {
  const paths: { [url: string]: { [method: string]: Json } } = {};
  for (const route of Object.values(sidecarRoutes)) {
    const operation: { [key: string]: Json } = { summary: route.summary };
    if ('body' in route) operation['requestBody'] = { required: true, content: json(route.body) };
    if ('params' in route) {
      operation['parameters'] = Object.entries(route.params.properties).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema: withRefs(schema),
      }));
    }
    const responses: { [status: string]: Json } = {
      [route.status]: { description: route.description, content: json(route.response) },
    };
    for (const [status, answer] of Object.entries(route.errors)) {
      responses[status] = { description: answer.description, content: json(errorSchema) };
    }
    operation['responses'] = responses;
    // OpenAPI writes a path parameter `{name}` where fastify writes `:name`.
    const url = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[url] = { ...paths[url], [route.method.toLowerCase()]: operation };
  }
  const events = sidecarEventsRoute;
  paths[events.url] = {
    [events.method.toLowerCase()]: {
      summary: events.summary,
      responses: {
        [events.status]: {
          description: events.description,
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'playgap-sidecar local API',
      version: '0.1.0',
      description:
        'The HTTP API a game server uses to talk to its playgap sidecar, on http://127.0.0.1:$PLAYGAP_SIDECAR_PORT only. Guide: sidecar-api.md. Errors are {code, message} with the codes of errors.md. Generated from protocol/src/sidecar-api; do not edit by hand.',
    },
    servers: [{ url: 'http://127.0.0.1:7999' }],
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(namedSchemas).map(([name, schema]) => [name, withRefs(schema, true)]),
      ),
    },
  };
}
