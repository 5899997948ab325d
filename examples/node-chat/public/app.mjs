// The page: asks the backend, shows each answer with a "Wrong answer" button, and sends the user's correction to
// feedback-service straight from the browser with the project's PUBLIC key (loupe-sdk/browser). The page never
// sees the secret key: spans and decisions leave from the server.
import { LoupeFeedback, LoupeRejected } from 'loupe-sdk/browser';

const $ = (selector, root = document) => root.querySelector(selector);
const status = $('#status');
const sessionId = sessionStorage.getItem('chat.session') ?? crypto.randomUUID();
sessionStorage.setItem('chat.session', sessionId);

// feedbackUrl and the public key, from the backend
const config = await (await fetch('/config.json')).json();
const feedback = new LoupeFeedback({ publicKey: config.publicKey, feedbackUrl: config.feedbackUrl });

function add(kind, text) {
  const li = kind === 'answer' ? $('#answer-template').content.firstElementChild.cloneNode(true) : document.createElement('li');
  li.classList.add(kind);
  (kind === 'answer' ? $('.text', li) : li).textContent = text;
  $('#messages').append(li);
  return li;
}

function offerCorrection(li, decisionId) {
  li.dataset.decisionId = decisionId;
  const form = $('.correction-form', li);
  const out = $('.feedback-status', li);
  $('.wrong', li).addEventListener('click', () => {
    form.hidden = false;
    $('.correction', li).focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('.send-correction', li);
    button.disabled = true;
    out.dataset.state = 'sending';
    out.textContent = 'Sending…';
    try {
      const feedbackId = await feedback.captureFeedback(decisionId, 'edited', {
        correction: $('.correction', li).value,
        userId: $('#user').value || undefined,
      });
      out.dataset.state = 'sent';
      out.dataset.feedbackId = feedbackId;
      out.textContent = 'Thanks, your correction was sent.';
      form.hidden = true;
      $('.wrong', li).disabled = true;
    } catch (e) {
      out.dataset.state = 'error';
      out.textContent = e instanceof LoupeRejected ? `Refused (${e.field ?? e.status}): ${e.detail}` : `Not sent: ${e.message}`;
      button.disabled = false;
    }
  });
}

$('#ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = $('#question').value.trim();
  if (!question) return;
  $('#question').value = '';
  add('question', question);
  status.dataset.state = 'asking';
  status.textContent = '…';
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question, userId: $('#user').value || undefined, sessionId }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${body.field ?? response.status}: ${body.detail ?? body.title}`);
    offerCorrection(add('answer', body.answer), body.decisionId);
    status.dataset.state = 'ready';
    status.textContent = '';
  } catch (e) {
    status.dataset.state = 'error';
    status.textContent = `The chat failed: ${e.message}`;
  }
});
status.dataset.state = 'ready';
