/**
 * The browser entry point, `loupe-sdk/browser`: feedback only. It sends with the project's public key (scope
 * `feedback`), which cannot write spans or decisions; nothing here can send them, and nothing here imports a
 * Node.js module. The collector also answers no browser (no CORS): spans and decisions leave from servers.
 */

import { sendFeedback, type FeedbackOptions, type FeedbackSettings, type FeedbackSignal } from './feedback.js';

export { LoupeConfigError, LoupeError, LoupeRejected, LoupeUnavailable } from './errors.js';
export type { FeedbackOptions, FeedbackSettings, FeedbackSignal } from './feedback.js';

/** Feedback from a web page: `new LoupeFeedback({publicKey, feedbackUrl}).captureFeedback(decisionId, 'edited', {correction})`. */
export class LoupeFeedback {
  private readonly settings: FeedbackSettings;

  constructor(settings: FeedbackSettings) {
    this.settings = { ...settings };
  }

  /** Resolves to the stored feedback's id; see `sendFeedback` for the errors. */
  captureFeedback(decisionId: string, signal: FeedbackSignal | string, options: FeedbackOptions = {}): Promise<string> {
    return sendFeedback(this.settings, decisionId, signal, options);
  }
}

/** One call, settings included. */
export function captureFeedback(settings: FeedbackSettings, decisionId: string, signal: FeedbackSignal | string,
  options: FeedbackOptions = {}): Promise<string> {
  return sendFeedback(settings, decisionId, signal, options);
}
