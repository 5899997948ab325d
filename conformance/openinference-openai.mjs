// OpenInference-JS (Arize) instrumenting the official `openai` client: sessions and users the way its users
// set them (openinference-core's setSession / setUser on the context, which the instrumentation copies onto
// its LLM spans), tools traced with openinference-core's traceTool. Prints one JSON line per scenario.
import {OpenAIInstrumentation} from '@arizeai/openinference-instrumentation-openai';
import {setSession, setUser, traceTool} from '@arizeai/openinference-core';
import OpenAI from 'openai';
import {providerUrl, runId, runScenarios, startTracing} from './lib/harness.mjs';
import {openAiScenarios} from './lib/openai-scenarios.mjs';

const provider = startTracing('conformance-openinference-openai');
const instrumentation = new OpenAIInstrumentation({tracerProvider: provider});
// ESM: the module is patched by hand (require hooks do not see `import`), as OpenInference documents
instrumentation.manuallyInstrument(OpenAI);

const client = new OpenAI({apiKey: 'sk-conformance', baseURL: `${providerUrl()}/v1`, maxRetries: 0});
const user = `oi-user-${runId}`;
const session = (scenario) => `oi-session-${runId}-${scenario}`;

await runScenarios({
  library: 'openinference-openai',
  provider,
  feature: `conformance-openinference-${runId}`,
  wrap: (ctx, scenario) => setUser(setSession(ctx, {sessionId: session(scenario)}), {userId: user}),
  describe: (scenario) => ({userId: user, sessionId: session(scenario)}),
  // traceTool records the arguments as input.value and the result as output.value of a TOOL span
  scenarios: openAiScenarios(client, (name, args, fn) => traceTool((argumentsJson) => fn(argumentsJson), {name, attributes: {'tool.name': name}})(args)),
});
