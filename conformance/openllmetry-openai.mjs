// OpenLLMetry-JS (Traceloop) instrumenting the official `openai` client: users and sessions as association
// properties (user_id, session_id, and one more that Loupe keeps as metadata), tools as the SDK's withTool
// spans. Content tracing on (the library's default), token enrichment off (the default: streamed calls
// without usage then carry no tokens). Prints one JSON line per scenario.
import {OpenAIInstrumentation} from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import {providerUrl, runId, runScenarios, startTracing} from './lib/harness.mjs';
import {openAiScenarios} from './lib/openai-scenarios.mjs';
import {associationPropertiesContext, associationPropertiesProcessor, withTool} from './lib/traceloop.mjs';

const provider = startTracing('conformance-openllmetry-openai', [associationPropertiesProcessor]);
const instrumentation = new OpenAIInstrumentation({traceContent: true});
instrumentation.setTracerProvider(provider);
instrumentation.manuallyInstrument(OpenAI);

const client = new OpenAI({apiKey: 'sk-conformance', baseURL: `${providerUrl()}/v1`, maxRetries: 0});
const user = `ll-user-${runId}`;
const session = (scenario) => `ll-session-${runId}-${scenario}`;

await runScenarios({
  library: 'openllmetry-openai',
  provider,
  feature: `conformance-openllmetry-openai-${runId}`,
  wrap: (ctx, scenario) => associationPropertiesContext(ctx, {user_id: user, session_id: session(scenario), tenant: 'acme'}),
  describe: (scenario) => ({userId: user, sessionId: session(scenario), metadata: {tenant: 'acme'}}),
  scenarios: openAiScenarios(client, (name, args, fn) => withTool(name, args, fn)),
});
