// The plain OpenTelemetry JS SDK, no instrumentation library: the app writes OpenTelemetry GenAI semantic-
// convention spans by hand around the official clients (what the plain SDK is for). User and session are
// `user.id` / `session.id` on the app's parent span only (Loupe carries them down the trace). Content goes as
// the `gen_ai.client.inference.operation.details` event (semconv ≥ 1.37) and, in one scenario, as the older
// per-message events (`gen_ai.user.message`, `gen_ai.choice`). Prints one JSON line per scenario.
import * as anthropicModule from '@anthropic-ai/sdk';
import {SpanKind, SpanStatusCode, trace} from '@opentelemetry/api';
import OpenAI from 'openai';
import {drainOpenAiStream, expectFailure, longSystemPrompt, providerUrl, runId, runScenarios, startTracing} from './lib/harness.mjs';

const CHAT_MODEL = 'gpt-4o-mini';
const EMBEDDING_MODEL = 'text-embedding-3-small';
const ANTHROPIC_MODEL = 'claude-haiku-4-5';

const provider = startTracing('conformance-otel-genai');
const tracer = trace.getTracer('conformance-otel-genai-app');
const openai = new OpenAI({apiKey: 'sk-conformance', baseURL: `${providerUrl()}/v1`, maxRetries: 0});
// the Anthropic SDK's own spans are off: this script writes every span itself
const anthropic = new anthropicModule.Anthropic({apiKey: 'sk-ant-conformance', baseURL: providerUrl(), maxRetries: 0, openTelemetry: false});
const user = `otel-user-${runId}`;
const session = (scenario) => `otel-session-${runId}-${scenario}`;

const inputMessages = (messages) => JSON.stringify(messages.map((m) => ({role: m.role, parts: [{type: 'text', content: m.content}]})));
const outputMessages = (text, finishReason) => JSON.stringify([{role: 'assistant', parts: [{type: 'text', content: text}], finish_reason: finishReason}]);

/**
 * A client span `{operation} {model}` around `call`; `describe(result)` gives the response attributes and the
 * content, `contentAs` says how the content goes: 'details' (one gen_ai.client.inference.operation.details
 * event), 'message-events' (the older per-message events) or 'none'.
 */
async function genAiSpan({operation, providerName, model, messages, contentAs = 'details', requestAttributes = {}}, call, describe) {
  return tracer.startActiveSpan(`${operation} ${model}`, {
    kind: SpanKind.CLIENT,
    attributes: {'gen_ai.operation.name': operation, 'gen_ai.provider.name': providerName, 'gen_ai.request.model': model, ...requestAttributes},
  }, async (span) => {
    try {
      const result = await call();
      const {attributes, completion, finishReason} = describe(result);
      span.setAttributes(attributes);
      if (contentAs === 'details') {
        span.addEvent('gen_ai.client.inference.operation.details', {
          'gen_ai.input.messages': inputMessages(messages),
          'gen_ai.output.messages': outputMessages(completion, finishReason),
        });
      } else if (contentAs === 'message-events') {
        for (const m of messages) span.addEvent(`gen_ai.${m.role}.message`, {'gen_ai.provider.name': providerName, content: m.content});
        span.addEvent('gen_ai.choice', {
          'gen_ai.provider.name': providerName, index: 0, finish_reason: finishReason,
          message: JSON.stringify({role: 'assistant', content: completion}),
        });
      }
      return result;
    } catch (e) {
      span.setAttribute('error.type', e.constructor?.name ?? 'Error');
      span.recordException(e);
      span.setStatus({code: SpanStatusCode.ERROR, message: e.message});
      throw e;
    } finally {
      span.end();
    }
  });
}

function openAiResponseAttributes(model, id, finishReason, usage) {
  const attributes = {'gen_ai.response.model': model, 'gen_ai.response.finish_reasons': [finishReason]};
  if (id) attributes['gen_ai.response.id'] = id;
  if (usage) {
    attributes['gen_ai.usage.input_tokens'] = usage.prompt_tokens;
    attributes['gen_ai.usage.output_tokens'] = usage.completion_tokens;
    attributes['gen_ai.usage.cache_read.input_tokens'] = usage.prompt_tokens_details?.cached_tokens ?? 0;
    attributes['gen_ai.usage.reasoning.output_tokens'] = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  }
  return attributes;
}

async function chat(messages, {contentAs = 'details', extra = {}} = {}) {
  const completion = await genAiSpan(
    {operation: 'chat', providerName: 'openai', model: CHAT_MODEL, messages, contentAs,
      requestAttributes: extra.max_tokens ? {'gen_ai.request.max_tokens': extra.max_tokens} : {}},
    () => openai.chat.completions.create({model: CHAT_MODEL, messages, ...extra}),
    (c) => ({
      attributes: openAiResponseAttributes(c.model, c.id, c.choices[0].finish_reason, c.usage),
      completion: c.choices[0].message.content, finishReason: c.choices[0].finish_reason,
    }));
  const prompt = messages[messages.length - 1].content;
  return {requestModel: CHAT_MODEL, responseModel: completion.model, prompt, completion: completion.choices[0].message.content,
    finishReason: completion.choices[0].finish_reason, usage: completion.usage};
}

async function stream(prompt, includeUsage) {
  const messages = [{role: 'user', content: prompt}];
  const out = await genAiSpan(
    {operation: 'chat', providerName: 'openai', model: CHAT_MODEL, messages},
    async () => drainOpenAiStream(await openai.chat.completions.create({
      model: CHAT_MODEL, messages, stream: true, ...(includeUsage ? {stream_options: {include_usage: true}} : {}),
    })),
    (o) => ({attributes: openAiResponseAttributes(o.model, null, o.finishReason, o.usage), completion: o.text, finishReason: o.finishReason}));
  return {requestModel: CHAT_MODEL, responseModel: out.model, prompt, completion: out.text, finishReason: out.finishReason, usage: out.usage};
}

async function anthropicCall(system, prompt) {
  const messages = [{role: 'user', content: prompt}];
  const message = await genAiSpan(
    {operation: 'chat', providerName: 'anthropic', model: ANTHROPIC_MODEL, messages},
    () => anthropic.messages.create({model: ANTHROPIC_MODEL, max_tokens: 256, system, messages}),
    (m) => ({
      attributes: {
        'gen_ai.response.model': m.model, 'gen_ai.response.id': m.id, 'gen_ai.response.finish_reasons': [m.stop_reason],
        // semconv: input tokens include the cached ones; Anthropic reports them apart
        'gen_ai.usage.input_tokens': m.usage.input_tokens + m.usage.cache_creation_input_tokens + m.usage.cache_read_input_tokens,
        'gen_ai.usage.output_tokens': m.usage.output_tokens,
        'gen_ai.usage.cache_creation.input_tokens': m.usage.cache_creation_input_tokens,
        'gen_ai.usage.cache_read.input_tokens': m.usage.cache_read_input_tokens,
      },
      completion: m.content.map((b) => b.text).join(''), finishReason: m.stop_reason,
    }));
  return {requestModel: ANTHROPIC_MODEL, responseModel: message.model, prompt, completion: message.content.map((b) => b.text).join(''),
    finishReason: message.stop_reason, usage: message.usage,
    expectedInputTokens: message.usage.input_tokens + message.usage.cache_creation_input_tokens + message.usage.cache_read_input_tokens};
}

const anthropicSystem = [{type: 'text', text: `${longSystemPrompt()} (run ${runId})`, cache_control: {type: 'ephemeral'}}];

await runScenarios({
  library: 'otel-genai',
  provider,
  feature: `conformance-otel-genai-${runId}`,
  parentAttributes: (scenario) => ({'user.id': user, 'session.id': session(scenario)}),
  describe: (scenario) => ({userId: user, sessionId: session(scenario)}),
  scenarios: {
    chat: () => chat([{role: 'user', content: 'What is the capital of France?'}]),
    'chat-message-events': () => chat([{role: 'user', content: 'What is the capital of Spain?'}], {contentAs: 'message-events'}),
    'stream-usage': () => stream('Name three primary colours.', true),
    'stream-no-usage': () => stream('Name three prime numbers.', false),
    'max-tokens': () => chat([{role: 'user', content: 'Explain photosynthesis in detail.'}], {extra: {max_tokens: 4}}),
    async error() {
      const prompt = '[fail:429] Summarise the news.';
      return {requestModel: CHAT_MODEL, responseModel: null, prompt, ...(await expectFailure(() => chat([{role: 'user', content: prompt}])))};
    },
    async cached() {
      const system = longSystemPrompt();
      await chat([{role: 'system', content: system}, {role: 'user', content: 'May I return shoes after 40 days?'}]);
      return {...(await chat([{role: 'system', content: system}, {role: 'user', content: 'May I return a jacket after 10 days?'}])), llmCalls: 2};
    },
    'cache-write': () => anthropicCall(anthropicSystem, 'May I return shoes after 40 days?'),
    'cache-read': () => anthropicCall(anthropicSystem, 'May I return a jacket after 10 days?'),
    async tool() {
      const toolName = 'get_weather';
      const args = JSON.stringify({city: 'Paris'});
      const result = await tracer.startActiveSpan(`execute_tool ${toolName}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': toolName, 'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.id': 'call_conformance_1', 'gen_ai.tool.call.arguments': args,
        },
      }, (span) => {
        const value = JSON.stringify({city: 'Paris', temperatureC: 21, sky: 'clear'});
        span.setAttribute('gen_ai.tool.call.result', value);
        span.end();
        return value;
      });
      return {toolName, toolArguments: args, toolResult: result, llmCalls: 0};
    },
    async embeddings() {
      const input = ['Loupe stores what instrumentation libraries send.', 'Embeddings carry 1,536 floats each.'];
      const response = await genAiSpan(
        {operation: 'embeddings', providerName: 'openai', model: EMBEDDING_MODEL, messages: [], contentAs: 'none'},
        () => openai.embeddings.create({model: EMBEDDING_MODEL, input}),
        (r) => ({attributes: {'gen_ai.response.model': r.model, 'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
          'gen_ai.embeddings.dimension.count': r.data[0].embedding.length}}));
      return {requestModel: EMBEDDING_MODEL, responseModel: response.model, input, dimensions: response.data[0].embedding.length, usage: response.usage};
    },
  },
});
