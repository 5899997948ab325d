// OpenLLMetry-JS (Traceloop) instrumenting the official `@anthropic-ai/sdk` client: Anthropic is where
// cache-write tokens appear (cache_creation_input_tokens, sent as gen_ai.usage.cache_creation_input_tokens).
// Users and sessions as association properties. Prints one JSON line per scenario.
import * as anthropicModule from '@anthropic-ai/sdk';
import {AnthropicInstrumentation} from '@traceloop/instrumentation-anthropic';
import {expectFailure, longSystemPrompt, providerUrl, runId, runScenarios, startTracing} from './lib/harness.mjs';
import {associationPropertiesContext, associationPropertiesProcessor} from './lib/traceloop.mjs';

const MODEL = 'claude-haiku-4-5';
const provider = startTracing('conformance-openllmetry-anthropic', [associationPropertiesProcessor]);
const instrumentation = new AnthropicInstrumentation({traceContent: true});
instrumentation.setTracerProvider(provider);
// the module namespace (the instrumentation patches Anthropic.Messages.prototype and Anthropic.Completions.prototype)
instrumentation.manuallyInstrument(anthropicModule);

// the SDK's own OpenTelemetry spans (on by default since 0.13x) are off: with them every call would be two LLM
// spans, the SDK's `anthropic.messages.create` and OpenLLMetry's `chat <model>`, and this script tests OpenLLMetry
const client = new anthropicModule.Anthropic({apiKey: 'sk-ant-conformance', baseURL: providerUrl(), maxRetries: 0, openTelemetry: false});
const user = `an-user-${runId}`;
const session = (scenario) => `an-session-${runId}-${scenario}`;
// the system prompt is marked for caching: the first call writes it, the next one reads it
const system = [{type: 'text', text: `${longSystemPrompt()} (run ${runId})`, cache_control: {type: 'ephemeral'}}];

function answer(message, prompt) {
  return {
    requestModel: MODEL,
    responseModel: message.model,
    prompt,
    completion: message.content.map((b) => b.text).join(''),
    finishReason: message.stop_reason,
    usage: message.usage,
  };
}

async function ask(prompt, extra = {}) {
  return client.messages.create({model: MODEL, max_tokens: 256, messages: [{role: 'user', content: prompt}], ...extra});
}

await runScenarios({
  library: 'openllmetry-anthropic',
  provider,
  feature: `conformance-openllmetry-anthropic-${runId}`,
  wrap: (ctx, scenario) => associationPropertiesContext(ctx, {user_id: user, session_id: session(scenario)}),
  describe: (scenario) => ({userId: user, sessionId: session(scenario)}),
  scenarios: {
    async chat() {
      const prompt = 'What is the capital of Italy?';
      return answer(await ask(prompt), prompt);
    },
    async 'cache-write'() {
      const prompt = 'May I return shoes after 40 days?';
      return answer(await ask(prompt, {system}), prompt);
    },
    async 'cache-read'() {
      const prompt = 'May I return a jacket after 10 days?';
      return answer(await ask(prompt, {system}), prompt);
    },
    async 'max-tokens'() {
      const prompt = 'Explain photosynthesis in detail.';
      return answer(await ask(prompt, {max_tokens: 4}), prompt);
    },
    async error() {
      const prompt = '[fail:429] Summarise the news.';
      return {requestModel: MODEL, responseModel: null, prompt, ...(await expectFailure(() => ask(prompt)))};
    },
  },
});
