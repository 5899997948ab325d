// OpenLLMetry's association properties without @traceloop/node-server-sdk. The SDK's withAssociationProperties
// puts {user_id, session_id, …} on the context and its span processor copies them onto every span started
// there as `traceloop.association.properties.<key>`; the bare instrumentations have no such API. This is that
// processor and that context key, so the spans look as the SDK's would. (The SDK is not a dependency here: it
// pins OpenTelemetry JS SDK 2 and @opentelemetry/api < 1.10 as peers, the plain-SDK script uses SDK 3.)
import {context, createContextKey, trace} from '@opentelemetry/api';

const ASSOCIATION_PROPERTIES = createContextKey('association_properties');
const PREFIX = 'traceloop.association.properties';

export function withAssociationProperties(properties, fn) {
  return context.with(context.active().setValue(ASSOCIATION_PROPERTIES, properties), fn);
}

export function associationPropertiesContext(ctx, properties) {
  return ctx.setValue(ASSOCIATION_PROPERTIES, properties);
}

export const associationPropertiesProcessor = {
  onStart(span, parentContext) {
    const properties = parentContext.getValue(ASSOCIATION_PROPERTIES);
    if (!properties) return;
    for (const [key, value] of Object.entries(properties)) span.setAttribute(`${PREFIX}.${key}`, value);
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** A tool span as the SDK's withTool writes it: traceloop.span.kind "tool", entity name, input and output. */
export async function withTool(name, args, fn) {
  const tracer = trace.getTracer('traceloop');
  return tracer.startActiveSpan(`${name}.tool`, {
    attributes: {
      'traceloop.span.kind': 'tool',
      'traceloop.entity.name': name,
      'traceloop.entity.path': '',
      'traceloop.entity.input': JSON.stringify({args: [args], kwargs: {}}),
    },
  }, async (span) => {
    try {
      const result = await fn();
      span.setAttribute('traceloop.entity.output', JSON.stringify(result));
      return result;
    } finally {
      span.end();
    }
  });
}
