// A fake LLM provider that speaks OpenAI's and Anthropic's real wire format (Node's http, no framework), so
// that real client libraries and their instrumentations run unchanged against it. Deterministic: the same
// request gets the same answer, except prompt caching, which (as at the providers) depends on what came before.
//
//   node fake-provider.mjs [port]      prints {"port": N} on stdout once it listens (0 or no port: a free one)
//
// OpenAI:    POST /v1/chat/completions (non-streaming, SSE streaming with the usage chunk when
//            stream_options.include_usage is set, tool calls, finish_reason "length" under max_tokens),
//            POST /v1/embeddings (1,536 floats per input, as floats or base64 float32 like the API).
// Anthropic: POST /v1/messages (usage with cache_creation_input_tokens / cache_read_input_tokens for blocks
//            marked cache_control, stop_reason "max_tokens").
// Errors in each provider's own body shape: an unknown model → 404 (OpenAI model_not_found, Anthropic
// not_found_error); a user message containing "[fail:429]" → 429, "[fail:500]" → 500 (529 overloaded for
// Anthropic with "[fail:529]").
import http from 'node:http';
import crypto from 'node:crypto';

// request model → the dated model the response names (as the real APIs do for an alias)
const OPENAI_MODELS = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'o4-mini': 'o4-mini-2025-04-16',
};
const EMBEDDING_MODELS = new Set(['text-embedding-3-small', 'text-embedding-ada-002']);
const EMBEDDING_DIMENSIONS = 1536;
const ANTHROPIC_MODELS = {
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-5-20250929': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
};
const CACHE_MINIMUM_TOKENS = 1024; // OpenAI caches prompts of 1,024 tokens and more, in steps of 128

// one "token" is one whitespace-separated word: crude, but deterministic and easy to assert
export function tokens(text) {
  const trimmed = String(text ?? '').trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

function textOf(content) {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? part.content ?? '').join(' ');
  return String(content);
}

function hashHex(value) {
  return crypto.createHash('sha256').update(value).digest('hex');
}

function id(prefix, seed) {
  return prefix + hashHex(seed).slice(0, 24);
}

function lastUserText(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return textOf(messages[i].content);
  }
  return '';
}

// the answer to a prompt: "Answer to: <last user message>" plus a fixed tail, so max_tokens can cut it
function answerWords(question) {
  const words = question.trim().split(/\s+/).filter(Boolean).slice(0, 12);
  return ['Answer', 'to:', ...words, '—', 'that', 'is', 'all', 'I', 'know.'];
}

function failureOf(text) {
  const match = /\[fail:(\d{3})\]/.exec(text);
  return match ? Number(match[1]) : null;
}

function send(res, status, body, headers = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...headers});
  res.end(json);
}

function openAiError(res, status, message, type, code, param = null) {
  const headers = {'x-request-id': id('req_', message)};
  if (status === 429) headers['retry-after'] = '1';
  send(res, status, {error: {message, type, param, code}}, headers);
}

function anthropicError(res, status, type, message) {
  send(res, status, {type: 'error', error: {type, message}}, {'request-id': id('req_', message)});
}

export function createProvider() {
  const openAiCache = new Set(); // prompt prefixes seen (hash) → the next call reads them from cache
  const anthropicCache = new Set();
  const requests = [];
  let created = 1767225600; // a fixed start, one second per request: the same requests give the same answers

  function chatCompletion(req, res, body) {
    const model = OPENAI_MODELS[body.model];
    const messages = Array.isArray(body.messages) ? body.messages : [];
    if (!model) {
      return openAiError(res, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`,
        'invalid_request_error', 'model_not_found');
    }
    if (messages.length === 0) {
      return openAiError(res, 400, "Invalid 'messages': empty array. Expected an array with minimum length 1.",
        'invalid_request_error', 'empty_array', 'messages');
    }
    const question = lastUserText(messages);
    const failure = failureOf(question);
    if (failure === 429) {
      return openAiError(res, 429, `Rate limit reached for ${body.model} on requests per min (RPM): Limit 3, Used 3, Requested 1.`,
        'requests', 'rate_limit_exceeded');
    }
    if (failure) {
      return openAiError(res, failure, 'The server had an error while processing your request. Sorry about that!',
        'server_error', null);
    }
    const promptTokens = messages.reduce((sum, m) => sum + tokens(textOf(m.content)) + 3, 0) + 3;
    // the prefix (everything before the last message) is cached once seen, in 128-token steps from 1,024
    const prefix = messages.slice(0, -1);
    const prefixTokens = prefix.reduce((sum, m) => sum + tokens(textOf(m.content)) + 3, 0);
    const prefixKey = hashHex(body.model + JSON.stringify(prefix));
    let cachedTokens = 0;
    if (prefixTokens >= CACHE_MINIMUM_TOKENS) {
      if (openAiCache.has(prefixKey)) cachedTokens = Math.floor(prefixTokens / 128) * 128;
      openAiCache.add(prefixKey);
    }
    const limit = body.max_completion_tokens ?? body.max_tokens;
    const last = messages[messages.length - 1];
    let message;
    let finishReason;
    let completionTokens;
    const tools = Array.isArray(body.tools) ? body.tools : [];
    if (tools.length > 0 && last.role === 'user' && body.tool_choice !== 'none') {
      // call the first tool, filling its required string parameters with the question's last word
      const fn = tools[0].function;
      const lastWord = question.trim().split(/\s+/).pop().replace(/[^\p{L}\p{N}-]/gu, '');
      const args = {};
      for (const name of fn.parameters?.required ?? Object.keys(fn.parameters?.properties ?? {})) {
        args[name] = lastWord;
      }
      const argumentsJson = JSON.stringify(args);
      message = {
        role: 'assistant', content: null, refusal: null, annotations: [],
        tool_calls: [{id: id('call_', argumentsJson + fn.name), type: 'function', function: {name: fn.name, arguments: argumentsJson}}],
      };
      finishReason = 'tool_calls';
      completionTokens = tokens(argumentsJson) + 5;
    } else {
      let words = last.role === 'tool'
        ? ['The', 'tool', 'said:', ...textOf(last.content).split(/\s+/).filter(Boolean)]
        : answerWords(question);
      finishReason = 'stop';
      if (limit != null && words.length > limit) {
        words = words.slice(0, limit);
        finishReason = 'length';
      }
      message = {role: 'assistant', content: words.join(' '), refusal: null, annotations: []};
      completionTokens = words.length;
    }
    const reasoningTokens = body.model.startsWith('o') ? 64 : 0;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens + reasoningTokens,
      total_tokens: promptTokens + completionTokens + reasoningTokens,
      prompt_tokens_details: {cached_tokens: cachedTokens, audio_tokens: 0},
      completion_tokens_details: {
        reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0,
      },
    };
    const completionId = id('chatcmpl-', JSON.stringify(body));
    const fingerprint = 'fp_' + hashHex(model).slice(0, 10);
    if (!body.stream) {
      return send(res, 200, {
        id: completionId, object: 'chat.completion', created, model,
        choices: [{index: 0, message, logprobs: null, finish_reason: finishReason}],
        usage, service_tier: 'default', system_fingerprint: fingerprint,
      }, {'x-request-id': id('req_', completionId)});
    }
    const includeUsage = body.stream_options?.include_usage === true;
    res.writeHead(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': id('req_', completionId)});
    const chunk = (choices, extra = {}) => {
      const c = {id: completionId, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: fingerprint, choices, ...extra};
      if (includeUsage && !('usage' in c)) c.usage = null;
      res.write(`data: ${JSON.stringify(c)}\n\n`);
    };
    chunk([{index: 0, delta: {role: 'assistant', content: '', refusal: null}, logprobs: null, finish_reason: null}]);
    if (message.tool_calls) {
      const call = message.tool_calls[0];
      chunk([{index: 0, delta: {tool_calls: [{index: 0, id: call.id, type: 'function', function: {name: call.function.name, arguments: ''}}]}, logprobs: null, finish_reason: null}]);
      chunk([{index: 0, delta: {tool_calls: [{index: 0, function: {arguments: call.function.arguments}}]}, logprobs: null, finish_reason: null}]);
    } else {
      message.content.split(' ').forEach((word, i) => {
        chunk([{index: 0, delta: {content: (i === 0 ? '' : ' ') + word}, logprobs: null, finish_reason: null}]);
      });
    }
    chunk([{index: 0, delta: {}, logprobs: null, finish_reason: finishReason}]);
    if (includeUsage) chunk([], {usage});
    res.end('data: [DONE]\n\n');
  }

  function embeddings(req, res, body) {
    if (!EMBEDDING_MODELS.has(body.model)) {
      return openAiError(res, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`,
        'invalid_request_error', 'model_not_found');
    }
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    if (inputs.length === 0 || inputs.some((i) => typeof i !== 'string' || i === '')) {
      return openAiError(res, 400, "'$.input' is invalid. Please check the API reference.", 'invalid_request_error', null, 'input');
    }
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((input, index) => {
      const vector = new Float32Array(EMBEDDING_DIMENSIONS);
      const seed = crypto.createHash('sha512').update(input).digest();
      for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) vector[i] = (seed[i % seed.length] - 128) / 1024 + i / 1e6;
      const embedding = base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
      return {object: 'embedding', index, embedding};
    });
    const promptTokens = inputs.reduce((sum, i) => sum + tokens(i), 0);
    send(res, 200, {object: 'list', data, model: body.model, usage: {prompt_tokens: promptTokens, total_tokens: promptTokens}});
  }

  function messagesApi(req, res, body) {
    const model = ANTHROPIC_MODELS[body.model];
    if (!model) return anthropicError(res, 404, 'not_found_error', `model: ${body.model}`);
    if (typeof body.max_tokens !== 'number') return anthropicError(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    const messages = Array.isArray(body.messages) ? body.messages : [];
    if (messages.length === 0) return anthropicError(res, 400, 'invalid_request_error', 'messages: Field required');
    const question = lastUserText(messages);
    const failure = failureOf(question);
    if (failure === 429) return anthropicError(res, 429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit');
    if (failure === 529) return anthropicError(res, 529, 'overloaded_error', 'Overloaded');
    if (failure) return anthropicError(res, failure, 'api_error', 'Internal server error');
    // blocks up to and including the last one marked cache_control form the cached prefix
    const system = typeof body.system === 'string' ? [{type: 'text', text: body.system}] : (body.system ?? []);
    const blocks = [...system, ...messages.flatMap((m) => (typeof m.content === 'string' ? [{type: 'text', text: m.content}] : m.content))];
    const allTokens = blocks.reduce((sum, b) => sum + tokens(b.text ?? ''), 0) + 3 * messages.length;
    let cachedPrefix = -1;
    blocks.forEach((b, i) => { if (b.cache_control) cachedPrefix = i; });
    let cacheCreation = 0;
    let cacheRead = 0;
    if (cachedPrefix >= 0) {
      const prefixTokens = blocks.slice(0, cachedPrefix + 1).reduce((sum, b) => sum + tokens(b.text ?? ''), 0);
      const key = hashHex(body.model + JSON.stringify(blocks.slice(0, cachedPrefix + 1)));
      if (anthropicCache.has(key)) cacheRead = prefixTokens;
      else cacheCreation = prefixTokens;
      anthropicCache.add(key);
    }
    let words = answerWords(question);
    let stopReason = 'end_turn';
    if (words.length > body.max_tokens) {
      words = words.slice(0, body.max_tokens);
      stopReason = 'max_tokens';
    }
    send(res, 200, {
      id: id('msg_', JSON.stringify(body)), type: 'message', role: 'assistant', model,
      content: [{type: 'text', text: words.join(' ')}],
      stop_reason: stopReason, stop_sequence: null,
      // Anthropic's input_tokens are the tokens after the last cache breakpoint: cache reads and writes are apart
      usage: {
        input_tokens: allTokens - cacheCreation - cacheRead,
        cache_creation_input_tokens: cacheCreation,
        cache_read_input_tokens: cacheRead,
        output_tokens: words.length,
        service_tier: 'standard',
      },
    }, {'request-id': id('req_', question)});
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return req.url.startsWith('/v1/messages')
          ? anthropicError(res, 400, 'invalid_request_error', 'There was an error parsing the body of your request')
          : openAiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
      }
      const path = req.url.split('?')[0];
      requests.push({method: req.method, path, body});
      created += 1;
      if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletion(req, res, body);
      if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(req, res, body);
      if (req.method === 'POST' && path === '/v1/messages') return messagesApi(req, res, body);
      return openAiError(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
    });
  });
  return {server, requests};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const {server} = createProvider();
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({port: server.address().port}) + '\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
