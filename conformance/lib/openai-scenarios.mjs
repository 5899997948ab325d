// The scenarios every OpenAI instrumentation runs, through the official `openai` client against the fake
// provider. Each returns what was sent and what the client got back, for the Java ITs to compare with what
// Loupe stored. `toolSpan(name, args, fn)` wraps the app's tool execution the way the library's users do.
import {drainOpenAiStream, expectFailure, longSystemPrompt} from './harness.mjs';

export const CHAT_MODEL = 'gpt-4o-mini';
export const EMBEDDING_MODEL = 'text-embedding-3-small';

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
  },
};

function weather(args) {
  return JSON.stringify({city: args.city, temperatureC: 21, sky: 'clear'});
}

function answer(completion, prompt) {
  const choice = completion.choices[0];
  return {
    requestModel: CHAT_MODEL,
    responseModel: completion.model,
    prompt,
    completion: choice.message.content,
    finishReason: choice.finish_reason,
    usage: completion.usage,
  };
}

export function openAiScenarios(client, toolSpan) {
  return {
    async chat() {
      const prompt = 'What is the capital of France?';
      const completion = await client.chat.completions.create({model: CHAT_MODEL, messages: [{role: 'user', content: prompt}]});
      return answer(completion, prompt);
    },
    async 'stream-usage'() {
      const prompt = 'Name three primary colours.';
      const stream = await client.chat.completions.create({
        model: CHAT_MODEL, messages: [{role: 'user', content: prompt}], stream: true, stream_options: {include_usage: true},
      });
      const out = await drainOpenAiStream(stream);
      return {requestModel: CHAT_MODEL, responseModel: out.model, prompt, completion: out.text, finishReason: out.finishReason, usage: out.usage};
    },
    async 'stream-no-usage'() {
      // without stream_options.include_usage the API sends no usage, so no library can report tokens
      const prompt = 'Name three prime numbers.';
      const stream = await client.chat.completions.create({model: CHAT_MODEL, messages: [{role: 'user', content: prompt}], stream: true});
      const out = await drainOpenAiStream(stream);
      return {requestModel: CHAT_MODEL, responseModel: out.model, prompt, completion: out.text, finishReason: out.finishReason, usage: out.usage};
    },
    async 'max-tokens'() {
      const prompt = 'Explain photosynthesis in detail.';
      const completion = await client.chat.completions.create({model: CHAT_MODEL, messages: [{role: 'user', content: prompt}], max_tokens: 4});
      return answer(completion, prompt);
    },
    async error() {
      const prompt = '[fail:429] Summarise the news.';
      const failure = await expectFailure(() => client.chat.completions.create({model: CHAT_MODEL, messages: [{role: 'user', content: prompt}]}));
      return {requestModel: CHAT_MODEL, responseModel: null, prompt, ...failure};
    },
    async cached() {
      // the first call writes the long system prompt into the provider's cache, the second reads it
      const system = longSystemPrompt();
      const first = 'May I return shoes after 40 days?';
      await client.chat.completions.create({model: CHAT_MODEL, messages: [{role: 'system', content: system}, {role: 'user', content: first}]});
      const prompt = 'May I return a jacket after 10 days?';
      const completion = await client.chat.completions.create({
        model: CHAT_MODEL, messages: [{role: 'system', content: system}, {role: 'user', content: prompt}],
      });
      return {...answer(completion, prompt), llmCalls: 2};
    },
    async tool() {
      const prompt = 'What is the weather in Paris';
      const messages = [{role: 'user', content: prompt}];
      const first = await client.chat.completions.create({model: CHAT_MODEL, messages, tools: [WEATHER_TOOL]});
      const call = first.choices[0].message.tool_calls[0];
      const args = JSON.parse(call.function.arguments);
      const result = await toolSpan(call.function.name, call.function.arguments, () => weather(args));
      const second = await client.chat.completions.create({
        model: CHAT_MODEL,
        messages: [...messages, first.choices[0].message, {role: 'tool', tool_call_id: call.id, content: result}],
        tools: [WEATHER_TOOL],
      });
      return {
        ...answer(second, prompt),
        llmCalls: 2,
        toolName: call.function.name,
        toolArguments: call.function.arguments,
        toolResult: result,
        toolCallFinishReason: first.choices[0].finish_reason,
        toolCallUsage: first.usage,
      };
    },
    async embeddings() {
      const input = ['Loupe stores what instrumentation libraries send.', 'Embeddings carry 1,536 floats each.'];
      const response = await client.embeddings.create({model: EMBEDDING_MODEL, input});
      return {
        requestModel: EMBEDDING_MODEL,
        responseModel: response.model,
        input,
        dimensions: response.data[0].embedding.length,
        usage: response.usage,
      };
    },
  };
}
