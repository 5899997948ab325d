/** The errors the SDK throws. The telemetry path (spans, decisions) never throws; these come from configuration
 * and from the feedback call, which the app awaits. */

/** The base of every error the SDK throws. */
export class LoupeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed; `setting` names it (an option or an environment variable). */
export class LoupeConfigError extends LoupeError {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.setting = setting;
  }
}

/** The service refused the request for good (a 4xx other than 429): retrying cannot help. `field` is the problem's
 * field (`signal`, `decisionId`, `Authorization`…) when the service named one. */
export class LoupeRejected extends LoupeError {
  readonly status: number;
  readonly field: string | undefined;
  readonly detail: string;
  readonly title: string | undefined;

  constructor(status: number, field: string | undefined, detail: string, title?: string) {
    super(`HTTP ${status}${field ? ` (${field})` : ''}: ${detail}`);
    this.status = status;
    this.field = field;
    this.detail = detail;
    this.title = title;
  }
}

/** Not reachable, or overloaded (429, 5xx, timeout), within the attempts; `status` is the last HTTP status. */
export class LoupeUnavailable extends LoupeError {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}
