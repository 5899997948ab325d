// The app without Loupe: a small FAQ, an order lookup (the tool), and a deterministic stub "model" that answers
// from the best-matching FAQ entry in the shape of an OpenAI chat completion. One entry is wrong on purpose:
// refunds take "up to 14 days" here, while the current policy is "within 5 business days".

export const FAQ = [
  { id: 'faq-refunds', question: 'How long does a refund take?', keywords: ['refund', 'refunds', 'money', 'back'],
    answer: 'Refunds take up to 14 days to reach your account.' }, // wrong on purpose (the old policy)
  { id: 'faq-returns', question: 'How long do I have to return an item?', keywords: ['return', 'returns', 'jacket', 'item'],
    answer: 'You can return an unworn item within 30 days of delivery.' },
  { id: 'faq-shipping', question: 'How much is shipping?', keywords: ['shipping', 'ship', 'delivery', 'cost'],
    answer: 'Shipping is free on orders over 50 EUR; below that it costs 4.90 EUR.' },
  { id: 'faq-password', question: 'How do I reset my password?', keywords: ['password', 'reset', 'login', 'sign'],
    answer: 'Use "Forgot password" on the sign-in page; the link in the email is valid for one hour.' },
  { id: 'faq-orders', question: 'Where is my order?', keywords: ['order', 'where', 'track', 'parcel'],
    answer: 'Your order {orderId} is {status}.' },
];

/** The correction a support agent would give for the wrong answer (the README and the browser test use it). */
export const REFUND_CORRECTION = 'Refunds are issued within 5 business days of us receiving the return.';

const ORDERS = { 1042: 'in transit, expected on Thursday', 1043: 'delivered' };

function words(text) {
  return String(text).toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** The FAQ entries that share words with the question, best first, with a score in 0..1. */
export function searchFaq(question) {
  const asked = new Set(words(question));
  return FAQ
    .map((entry) => ({ entry, score: entry.keywords.filter((k) => asked.has(k)).length / entry.keywords.length }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score);
}

/** The order number in a question ("order 1042"), or undefined. */
export function orderIdOf(question) {
  return /\b(\d{4})\b/.exec(String(question))?.[1];
}

/** The order service behind the `lookup_order` tool. */
export async function lookupOrder(orderId) {
  await new Promise((resolve) => setTimeout(resolve, 15));
  return { orderId, status: ORDERS[orderId] ?? 'unknown to us: check the number on your confirmation email' };
}

let calls = 0;

/**
 * The stub model: `client.chat.completions.create({model, messages})` in real life. It answers from the FAQ entry
 * given in the system message (or says it does not know), after a short, deterministic "thinking" delay, and
 * returns what OpenAI returns: the dated model, the choices with a finish reason, and token usage.
 */
export async function stubChatCompletion({ model, messages }) {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const context = /Context: (.*)$/s.exec(system)?.[1]?.trim();
  const content = context || 'I am not sure about that; a support agent will get back to you.';
  const promptTokens = words(system).length + words(user).length + 12;
  const completionTokens = words(content).length + 2;
  await new Promise((resolve) => setTimeout(resolve, 40 + (promptTokens % 7) * 5));
  calls++;
  return {
    id: `chatcmpl-stub-${calls}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: model === 'gpt-4o-mini' ? 'gpt-4o-mini-2024-07-18' : model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  };
}
