// The Vercel AI SDK (`ai`) with its own OpenTelemetry spans, bridged by Loupe's TypeScript SDK (`loupe-sdk`,
// ../sdk/typescript, built): `LoupeSpanProcessor` on the OTel JS SDK's tracer provider, an `OTLPTraceExporter`
// configured by `loupeOtlpExporterConfig()` (LOUPE_COLLECTOR_URL, LOUPE_API_KEY), and
// `experimental_telemetry: aiSdkTelemetry({feature, userId, sessionId})` on each call. The model is `ai/test`'s
// MockLanguageModelV3 answering as an OpenAI chat model would (no provider, no network): the AI SDK writes the
// spans (ai.generateText → ai.generateText.doGenerate, ai.streamText → ai.streamText.doStream) as it does for any
// provider. Prints one JSON line per scenario.
import {context, trace} from '@opentelemetry/api';
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks';
import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {BatchSpanProcessor, TracerProvider} from '@opentelemetry/sdk-trace';
import {generateText, streamText} from 'ai';
import {MockLanguageModelV3, simulateReadableStream} from 'ai/test';
import {Loupe, LoupeSpanProcessor, aiSdkTelemetry, loupeOtlpExporterConfig} from 'loupe-sdk';
import {required, runId, runScenarios} from './lib/harness.mjs';

required('LOUPE_COLLECTOR_URL');
required('LOUPE_API_KEY');

const REQUEST_MODEL = 'gpt-4o-mini';
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
const PROVIDER = 'openai.chat'; // what @ai-sdk/openai's chat models call themselves

const provider = new TracerProvider({
  resource: resourceFromAttributes({'service.name': 'conformance-vercel-ai-sdk'}),
  spanProcessors: [
    new LoupeSpanProcessor(),
    // a trace's spans travel in one request (the collector builds decisions per request)
    new BatchSpanProcessor({exporter: new OTLPTraceExporter(loupeOtlpExporterConfig()), maxExportBatchSize: 512, scheduledDelayMillis: 500}),
  ],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);

// Loupe's own client only for its context (loupe.trace below): its native spans are not what this run checks
const loupe = new Loupe({disabled: true, flushOnExit: false});

const feature = `vercel-ai-sdk-${runId}`;
const user = `ai-sdk-user-${runId}`;
const session = (scenario) => `ai-sdk-session-${runId}-${scenario}`;

/** AI SDK 6's usage from a provider (LanguageModelV3Usage); the input includes cache reads, as OpenAI's does. */
const usageOf = (input, output) => ({
  inputTokens: {total: input, noCache: input, cacheRead: 0, cacheWrite: undefined},
  outputTokens: {total: output, text: output, reasoning: undefined},
});

/** A model that answers `text` with `usage`, through doGenerate and doStream alike. */
function model(text, usage) {
  const finishReason = {unified: 'stop', raw: 'stop'};
  const response = {id: 'chatcmpl-conformance', modelId: RESPONSE_MODEL, timestamp: new Date()};
  return new MockLanguageModelV3({
    provider: PROVIDER,
    modelId: REQUEST_MODEL,
    doGenerate: async () => ({content: [{type: 'text', text}], finishReason, usage, warnings: [], response}),
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          {type: 'stream-start', warnings: []},
          {type: 'response-metadata', ...response},
          {type: 'text-start', id: 't'},
          ...text.split(/(?<= )/).map((delta) => ({type: 'text-delta', id: 't', delta})),
          {type: 'text-end', id: 't'},
          {type: 'finish', finishReason, usage},
        ],
      }),
    }),
  });
}

const described = (scenario, prompt, completion, input, output) => ({
  requestModel: REQUEST_MODEL, responseModel: RESPONSE_MODEL, provider: PROVIDER, prompt, completion,
  finishReason: 'stop', usage: {inputTokens: input, outputTokens: output}, llmCalls: 1,
  userId: user, sessionId: session(scenario),
});

await runScenarios({
  library: 'vercel-ai-sdk',
  provider,
  feature,
  scenarios: {
    // generateText, the identity given to aiSdkTelemetry
    generate: async () => {
      const prompt = `What does Loupe store for a generateText call? (${runId})`;
      const answer = 'The model, the tokens, the cost and the content.';
      const result = await generateText({
        model: model(answer, usageOf(19, 9)),
        prompt,
        experimental_telemetry: aiSdkTelemetry({feature, userId: user, sessionId: session('generate')}),
      });
      return described('generate', prompt, result.text, 19, 9);
    },
    // streamText, read to its end
    stream: async () => {
      const prompt = `And for a streamText call? (${runId})`;
      const answer = 'The same, once the stream has finished.';
      const result = streamText({
        model: model(answer, usageOf(15, 7)),
        prompt,
        experimental_telemetry: aiSdkTelemetry({feature, userId: user, sessionId: session('stream')}),
      });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      return described('stream', prompt, text, 15, 7);
    },
    // the identity from a Loupe trace around the call: aiSdkTelemetry() without arguments
    'loupe-context': async () => {
      const prompt = `Who asked this? (${runId})`;
      const answer = 'The user of the Loupe trace around the call.';
      const result = await loupe.trace('answer', {feature, userId: user, sessionId: session('loupe-context')}, () =>
        generateText({model: model(answer, usageOf(11, 10)), prompt, experimental_telemetry: aiSdkTelemetry()}));
      return described('loupe-context', prompt, result.text, 11, 10);
    },
  },
});
